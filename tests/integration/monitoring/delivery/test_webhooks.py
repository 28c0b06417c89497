"""Webhooks to a real HTTP receiver: signed CloudEvents, retries that land each event once
and in order, a subscription paused (with its operations alert) by a receiver that keeps
failing, and the owner's scope bounding what a subscription is sent."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import orjson
from cloudevents.core.bindings.http import HTTPMessage, from_binary_event

from shared.identity import Principal, Role

from services.monitoring.adapters import subscriptions as repo
from services.monitoring.adapters.webhooks import WebhookDispatcher
from services.monitoring.domain.webhooks import Backoff, Filters, verify

SECRET = "s3cret-for-the-bureau-0123456789"
CITY = Principal(subject="city", role=Role.city_office)


async def subscribe(pool, url: str, owner: Principal = CITY, filters: Filters = Filters()) -> UUID:
    async with pool.acquire() as conn:
        return (await repo.create(conn, repo.NewSubscription(url, SECRET, filters), owner))["subscription_id"]


async def drain(dispatcher: WebhookDispatcher, done, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "deliveries did not finish"
        await dispatcher.tick()
        await asyncio.sleep(0.01)


def event_ids(requests: list[dict]) -> list[str]:
    return [r["headers"]["ce-id"] for r in requests]


async def log_of(pool, sid: UUID) -> list[dict]:
    async with pool.acquire() as conn:
        return [dict(r) for r in await conn.fetch(
            "select position, event_id::text, attempt, ok, status_code from monitoring.deliveries "
            "where subscription_id = $1 order by id", sid)]


async def test_each_alert_event_arrives_as_a_signed_cloudevent(db, alerts, receiver):
    sid = await subscribe(db, receiver.url)
    first = await alerts.raise_()
    await alerts.acknowledge(first)
    await alerts.resolve(first)
    dispatcher = WebhookDispatcher(db)
    await drain(dispatcher, lambda: len(receiver.requests) == 3)

    async with db.acquire() as conn:
        expected = [str(r["event_id"]) for r in await conn.fetch(
            "select e.event_id from es.log l join es.events e on e.id = l.event_row order by l.position")]
    assert event_ids(receiver.requests) == expected  # ce-id is the event id, in the store's order
    for request in receiver.requests:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert verify(SECRET, int(headers["x-xingcun-timestamp"]), request["body"],
                      headers["x-xingcun-signature"], now=int(time.time()))
        assert not verify("another-secret-0123456789", int(headers["x-xingcun-timestamp"]), request["body"],
                          headers["x-xingcun-signature"], now=int(time.time()))
        event = from_binary_event(HTTPMessage(headers=headers, body=request["body"]))
        assert event.get_source() == "/xingcun/monitoring" and event.get_subject() == first
        assert event.get_data()["alert_id"] == first and event.get_data()["district"] == "120111"
    types = [h["headers"]["ce-type"] for h in receiver.requests]
    assert types == ["cn.xingcun.monitoring.AlertRaised.v1", "cn.xingcun.monitoring.AlertAcknowledged.v1",
                     "cn.xingcun.monitoring.AlertResolved.v1"]
    assert [(e["attempt"], e["ok"], e["status_code"]) for e in await log_of(db, sid)] == [(1, True, 204)] * 3
    # Nothing left to send: another pass posts nothing.
    await dispatcher.tick()
    assert len(receiver.requests) == 3


async def test_the_secret_is_kept_sealed_and_only_its_fingerprint_shown(db, receiver):
    sid = await subscribe(db, receiver.url)
    async with db.acquire() as conn:
        raw = await conn.fetchval("select secret::text || secret_fingerprint from monitoring.subscriptions")
        shown = await repo.get(conn, CITY, sid)
    assert SECRET not in raw
    assert shown["secret_fingerprint"].startswith("sha256:") and "secret" not in dict(shown)


async def test_a_receiver_that_fails_then_recovers_gets_each_event_once_in_order(db, alerts, receiver):
    receiver.fail_first = 3
    sid = await subscribe(db, receiver.url)
    raised = [await alerts.raise_() for _ in range(3)]
    dispatcher = WebhookDispatcher(db, max_failures=5, backoff=Backoff(base=0.02, cap=0.1))
    await drain(dispatcher, lambda: len(receiver.accepted) == 3)

    accepted = [orjson.loads(r["body"])["alert_id"] for r in receiver.accepted]
    assert accepted == raised  # once each, in order
    # The three failures were all the first event's: nothing was sent past it meanwhile.
    assert len({r["headers"]["ce-id"] for r in receiver.requests[:4]}) == 1
    attempts = [(e["attempt"], e["ok"]) for e in await log_of(db, sid)]
    assert attempts == [(1, False), (2, False), (3, False), (4, True), (1, True), (1, True)]
    async with db.acquire() as conn:
        row = await conn.fetchrow("select state, consecutive_failures from monitoring.subscriptions")
    assert (row["state"], row["consecutive_failures"]) == ("active", 0)


async def test_a_receiver_that_keeps_failing_pauses_the_subscription_and_raises_an_alert(db, alerts, receiver):
    receiver.fail_always = True
    sid = await subscribe(db, receiver.url)
    paused, resumed = [], []

    async def on_paused(subscription_id, episode, failures):
        paused.append((subscription_id, episode, failures))

    async def on_resumed(subscription_id, episode):
        resumed.append((subscription_id, episode))

    first = await alerts.raise_()
    second = await alerts.raise_()
    dispatcher = WebhookDispatcher(db, max_failures=3, backoff=Backoff(base=0.01, cap=0.02),
                                   on_paused=on_paused, on_resumed=on_resumed)
    await drain(dispatcher, lambda: bool(paused))
    assert paused == [(str(sid), "1", 3)]
    assert len(receiver.requests) == 3
    async with db.acquire() as conn:
        assert await conn.fetchval("select state from monitoring.subscriptions") == "paused"
    for _ in range(5):  # paused: nothing more is sent, and the alert is raised once
        await dispatcher.tick()
        await asyncio.sleep(0.03)
    assert len(receiver.requests) == 3 and len(paused) == 1

    receiver.fail_always = False
    async with db.acquire() as conn:
        await repo.set_state(conn, sid, paused=False, reason=None)
    await drain(dispatcher, lambda: len(receiver.accepted) == 2)
    assert [orjson.loads(r["body"])["alert_id"] for r in receiver.accepted] == [first, second]
    assert resumed == [(str(sid), "1")]


async def test_a_subscription_is_bounded_by_its_owners_scope_and_filters(db, alerts, receiver):
    official = Principal(subject="o1", role=Role.district_official, district="120111")
    sid = await subscribe(db, receiver.url, official, Filters(severities=("critical",)))
    ours_critical = await alerts.raise_(district="120111", severity="critical")
    await alerts.raise_(district="120111", severity="warning")  # filtered out by severity
    await alerts.raise_(district="120222", severity="critical")  # another district: never theirs
    await alerts.raise_(district=None, severity="critical")  # a city-wide (operations) alert
    await alerts.escalate(ours_critical)
    dispatcher = WebhookDispatcher(db)
    await drain(dispatcher, lambda: len(receiver.requests) == 2)
    for _ in range(3):
        await dispatcher.tick()
    assert [orjson.loads(r["body"])["alert_id"] for r in receiver.requests] == [ours_critical, ours_critical]
    async with db.acquire() as conn:  # the cursor moved past what was not for it
        assert await conn.fetchval("select cursor from monitoring.subscriptions where subscription_id = $1",
                                   sid) == (await alerts.positions())[-1]


async def test_a_subscription_whose_secret_was_erased_is_paused_not_skipped(db, alerts, receiver):
    from shared.privacy.keys import erase

    sid = await subscribe(db, receiver.url)
    async with db.acquire() as conn:
        await erase(conn, repo.key_of(sid))
    await alerts.raise_()
    dispatcher = WebhookDispatcher(db)
    await dispatcher.tick()
    async with db.acquire() as conn:
        row = await conn.fetchrow("select state, paused_reason, cursor from monitoring.subscriptions")
    assert row["state"] == "paused" and "erased" in row["paused_reason"]
    assert row["cursor"] == 0 and receiver.requests == []  # the event waits; nothing unsigned went out
