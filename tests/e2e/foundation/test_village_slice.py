"""One village end to end: HTTP → event store → outbox relay → Kafka → faust projection → HTTP."""

from __future__ import annotations

import time

import httpx
import pytest
from opentelemetry.trace import format_trace_id

from shared.db import connect
from shared.http.auth import Role
from shared.messaging.credentials import client_options
from shared.projections import ProjectionRunner
from services.publicity.projections.villages import VillagesProjection
from tests.support.db import fetchval
from tests.support.villages import village_body

pytestmark = pytest.mark.e2e


def overview(stack) -> dict:
    r = httpx.get(stack.url("publicity") + "/stats/overview", timeout=5)
    r.raise_for_status()
    return r.json()


def count_in(stack, district: str) -> int:
    return next(d["villages"] for d in overview(stack)["districts"] if d["code"] == district)


def wait_for_count(stack, district: str, expected: int, timeout: float = 20.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if count_in(stack, district) == expected:
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"district {district} never reached {expected} villages (now {count_in(stack, district)})")


async def stored_events(settings, stream_id: str | None = None) -> int:
    """Village events, of one stream or all: other tests and the relay's checkpoints add
    events of other kinds to the same store meanwhile."""
    dsn = settings.dsn("registry")
    if stream_id:
        return await fetchval(dsn, "select count(*) from es.events where stream_id = $1", stream_id)
    return await fetchval(dsn, "select count(*) from es.events where stream_id like 'village-%'")


async def registered_villages(settings) -> int:
    return await fetchval(settings.dsn("registry"), "select count(*) from es.events where type = 'VillageRegistered'")


def test_registered_village_shows_in_statistics_with_one_trace(stack, token):
    before = count_in(stack, "120115")
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    body = village_body("120115", name="大口屯村")
    started = time.monotonic()
    r = httpx.post(stack.url("registry") + "/villages", json=body, headers=token() | {
        "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
    assert r.status_code == 201, r.text
    latency = wait_for_count(stack, "120115", before + 1) + (time.monotonic() - started) * 0
    print(f"\nHTTP → statistic visible in {latency * 1000:.0f} ms / 统计可见延迟")

    # The projection's span belongs to the trace the HTTP request started.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        applied = [s for s in stack.spans("publicity-worker") if s["name"] == "villages apply"]
        if any(s["context"]["trace_id"] == "0x" + trace_id for s in applied):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"no projection span in trace {trace_id}: {[s['context'] for s in applied]}")
    api_spans = {s["name"] for s in stack.spans("registry-api") if s["context"]["trace_id"] == "0x" + trace_id}
    assert "eventstore.append" in api_spans and any(n.startswith("POST /villages") for n in api_spans), api_spans
    relay_spans = [s for s in stack.spans("registry-worker") if s["context"]["trace_id"] == "0x" + trace_id]
    assert any(s["name"].endswith("publish") for s in relay_spans)
    assert format_trace_id(int(trace_id, 16)) == trace_id


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"name": None}, "name", 422),
        ({"income_2019": "-1"}, "income_2019", 422),
        ({"income_2020": "1.001"}, "income_2020", 422),
        ({"district": "和平区"}, "district", 422),
        ({"village_type": "unknown"}, "village_type", 422),
        ({"code": "12011900001"}, "code", 422),
    ],
)
async def test_bad_input_gets_field_level_4xx_and_writes_nothing(stack, token, settings, change, field, status):
    body = {k: v for k, v in (village_body() | change).items() if v is not None}
    before = await stored_events(settings)
    r = httpx.post(stack.url("registry") + "/villages", json=body, headers=token())
    assert r.status_code == status, r.text
    assert any(field in item["loc"] for item in r.json()["detail"]), r.json()
    assert await stored_events(settings) == before


async def test_duplicate_code_is_a_conflict_on_the_code_field(stack, token, settings):
    body = village_body()
    assert httpx.post(stack.url("registry") + "/villages", json=body, headers=token()).status_code == 201
    r = httpx.post(stack.url("registry") + "/villages", json=body | {"name": "另一个村"}, headers=token())
    assert r.status_code == 409 and r.json()["detail"][0]["loc"] == ["body", "code"]
    assert await stored_events(settings, f"village-{body['code']}") == 1


async def test_retry_with_idempotency_key_has_its_effect_once(stack, token, settings):
    body = village_body()
    headers = token() | {"Idempotency-Key": f"register-{body['code']}"}
    first = httpx.post(stack.url("registry") + "/villages", json=body, headers=headers)
    again = httpx.post(stack.url("registry") + "/villages", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert await stored_events(settings, f"village-{body['code']}") == 1


async def test_roles_and_district_scope(stack, token, settings):
    body = village_body("120114")
    before = await stored_events(settings)
    assert httpx.post(stack.url("registry") + "/villages", json=body).status_code == 401
    assert httpx.post(stack.url("registry") + "/villages", json=body, headers=token(Role.assessor)).status_code == 403
    other = token(Role.district_official, district="120119")
    assert httpx.post(stack.url("registry") + "/villages", json=body, headers=other).status_code == 403
    assert await stored_events(settings) == before
    own = token(Role.district_official, district="120114")
    assert httpx.post(stack.url("registry") + "/villages", json=body, headers=own).status_code == 201


def test_relay_killed_between_commit_and_publish_still_delivers_once(stack, token):
    stack.kill("registry-worker")  # SIGKILL: no chance to flush anything
    before = count_in(stack, "120117")
    r = httpx.post(stack.url("registry") + "/villages", json=village_body("120117"), headers=token())
    assert r.status_code == 201  # committed; nothing relays it now
    time.sleep(1.0)
    assert count_in(stack, "120117") == before
    stack.start_worker("registry")
    wait_for_count(stack, "120117", before + 1, timeout=60)
    time.sleep(1.0)  # anything delivered twice would have arrived by now
    assert count_in(stack, "120117") == before + 1


async def test_rebuilt_projection_equals_the_live_one(stack, token, settings):
    for district in ("120110", "120111", "120112"):
        assert httpx.post(stack.url("registry") + "/villages", json=village_body(district), headers=token()).status_code == 201
    total = await registered_villages(settings)
    deadline = time.monotonic() + 20
    while overview(stack)["villages_total"] < total and time.monotonic() < deadline:
        time.sleep(0.05)
    assert overview(stack)["villages_total"] == total

    from shared.db import create_pool

    pool = await create_pool(settings.dsn("publicity"))
    try:
        runner = ProjectionRunner(pool, VillagesProjection(), {"registry": settings.topic("registry")})
        live = await runner.snapshot()
        replayed = await runner.rebuild(settings)
        assert replayed >= total
        assert await runner.snapshot() == live
    finally:
        await pool.close()


async def test_event_published_twice_on_purpose_counts_once(stack, token, settings):
    from aiokafka import AIOKafkaProducer

    from shared.eventstore.store import EVENT_COLUMNS, to_recorded
    from shared.messaging.kafka import encode, headers_for

    body = village_body("120118")
    before = count_in(stack, "120118")
    assert httpx.post(stack.url("registry") + "/villages", json=body, headers=token()).status_code == 201
    wait_for_count(stack, "120118", before + 1)
    conn = await connect(settings.dsn("registry"))
    try:
        row = await conn.fetchrow(
            f"""select {EVENT_COLUMNS}, l.position, l.chain_hash from es.events e
                join es.log l on l.event_row = e.id where e.stream_id = $1""",
            f"village-{body['code']}",
        )
    finally:
        await conn.close()
    event = to_recorded(row, "registry")
    producer = AIOKafkaProducer(**client_options(settings))
    await producer.start()
    try:
        for _ in range(2):
            await producer.send_and_wait(settings.topic("registry"), encode(event), key=event.stream_id.encode(),
                                         headers=headers_for(event, None))
    finally:
        await producer.stop()
    # A later event still arrives, so the copies were consumed (and skipped), not stuck.
    assert httpx.post(stack.url("registry") + "/villages", json=village_body("120118"), headers=token()).status_code == 201
    wait_for_count(stack, "120118", before + 2)
    assert stack.procs["publicity-worker"].poll() is None
