"""The alert stream over real HTTP (uvicorn): resume with Last-Event-ID without loss or
duplicates, scope per caller, heartbeats while idle, authentication."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from shared.identity import Role

from tests.integration.monitoring.delivery.conftest import token


class Stream:
    """A minimal SSE reader over httpx (async)."""

    def __init__(self, client: httpx.AsyncClient, response: httpx.Response):
        self.client, self.response = client, response
        self.lines = response.aiter_lines()
        self.comments = 0
        self.ready: dict | None = None

    @classmethod
    async def open(cls, url: str, headers: dict[str, str], last_event_id: int | None = None, **params) -> Stream:
        client = httpx.AsyncClient(timeout=httpx.Timeout(10, read=10))
        headers = headers | {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        response = await client.send(client.build_request("GET", f"{url}/alerts/stream", headers=headers,
                                                          params=params), stream=True)
        assert response.status_code == 200, await response.aread()
        return cls(client, response)

    async def next(self) -> dict:
        """The next alert event (a new client's ``ready`` is kept aside in ``ready``)."""
        while (message := await self._message())["event"] == "ready":
            self.ready = message
        return message

    async def _message(self) -> dict:
        message: dict = {}
        async for line in self.lines:
            if not line:
                if "data" in message:
                    return message
                message = {}
            elif line.startswith(":"):
                self.comments += 1
            else:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                message[name] = int(value) if name == "id" else json.loads(value) if name == "data" else value
        raise EOFError

    async def take(self, n: int) -> list[dict]:
        return [await asyncio.wait_for(self.next(), 10) for _ in range(n)]

    async def close(self) -> None:
        await self.response.aclose()
        await self.client.aclose()


async def test_resume_with_last_event_id_gives_the_rest_once(api, alerts, settings):
    city = token(settings, Role.city_office)
    stream = await Stream.open(api, city)
    ids = [await alerts.raise_() for _ in range(3)]
    got = await stream.take(3)
    assert stream.ready is not None and stream.ready["id"] == stream.ready["data"]["position"] < got[0]["id"]
    assert [m["data"]["alert_id"] for m in got] == ids
    assert [m["event"] for m in got] == ["AlertRaised"] * 3
    await stream.close()

    for alert_id in ids:  # while disconnected
        await alerts.resolve(alert_id)
    resumed = await Stream.open(api, city, last_event_id=got[-1]["id"])
    rest = await resumed.take(3)
    assert [(m["event"], m["data"]["alert_id"]) for m in rest] == [("AlertResolved", a) for a in ids]
    positions = [m["id"] for m in got + rest]
    assert positions == sorted(set(positions)) == await alerts.positions()  # none lost, none twice
    late = await alerts.raise_()  # and it goes on live after the catch-up
    assert (await resumed.take(1))[0]["data"]["alert_id"] == late
    await resumed.close()


async def test_each_caller_sees_only_their_scope(api, alerts, settings, db):
    async with db.acquire() as conn:
        await conn.execute("insert into monitoring.team_units values ('team-1', 'unit-1')")
        await conn.execute("insert into monitoring.team_villages values ('team-1', '120111001')")
    official = await Stream.open(api, token(settings, Role.district_official, district="120111"), after=0)
    unit = await Stream.open(api, token(settings, Role.unit, unit="unit-1"), after=0)
    other = await alerts.raise_(district="120222", village_code="120222001")
    city_wide = await alerts.raise_(district=None)
    ours = await alerts.raise_(district="120111", village_code="120111002")
    theirs_village = await alerts.raise_(district="120111", village_code="120111001")
    theirs_team = await alerts.raise_(district="120111", village_code="120111003", team_id="team-1")
    assert [m["data"]["alert_id"] for m in await official.take(3)] == [ours, theirs_village, theirs_team]
    assert [m["data"]["alert_id"] for m in await unit.take(2)] == [theirs_village, theirs_team]
    city = await Stream.open(api, token(settings, Role.city_office), after=0)
    assert [m["data"]["alert_id"] for m in await city.take(5)] == [other, city_wide, ours, theirs_village, theirs_team]
    for s in (official, unit, city):
        await s.close()


async def test_an_idle_stream_sends_heartbeat_comments(api, settings):
    stream = await Stream.open(api, token(settings, Role.city_office), heartbeat=0.2)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(stream.next(), 1.0)
    assert stream.comments >= 2
    await stream.close()


async def test_the_stream_needs_a_token_and_a_scope(api, settings):
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{api}/alerts/stream")).status_code == 401
        public = await client.get(f"{api}/alerts/stream", headers=token(settings, Role.public))
        assert public.status_code == 403 and public.json()["detail"][0]["loc"] == ["header", "Authorization"]
        bad = await client.get(f"{api}/alerts/stream", headers=token(settings, Role.city_office) |
                               {"Last-Event-ID": "-1"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["header", "last-event-id"]


async def test_many_listeners_share_one_watcher_and_connections_are_capped(api, alerts, settings):
    headers = token(settings, Role.city_office)
    streams = [await Stream.open(api, headers) for _ in range(8)]  # the default cap per client address
    async with httpx.AsyncClient() as client:
        refused = await client.get(f"{api}/alerts/stream", headers=headers)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    assert refused.json()["detail"][0]["type"] == "too_many_connections"
    hub = api.app.state.alert_hub
    reads_before, t0 = hub.reads, asyncio.get_running_loop().time()
    raised = [await alerts.raise_() for _ in range(3)]
    for s in streams:
        assert [m["data"]["alert_id"] for m in await s.take(3)] == raised
    # One watcher read the log for all eight: its statements follow the clock (one every
    # 50 ms), not the number of listeners times the events.
    elapsed = asyncio.get_running_loop().time() - t0
    assert hub.reads - reads_before <= elapsed / hub.interval + 5
    for s in streams:
        await s.close()
    await asyncio.sleep(0.3)  # slots are given back however a stream ends
    again = await Stream.open(api, headers)
    await again.close()
