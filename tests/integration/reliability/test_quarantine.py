"""Poison events: a record a projection cannot apply is held aside with its error after a few
tries, the projection moves on, and an operator retries (once) or skips it — over the real
PostgreSQL, with the worker's own batch loop (``shared.worker.apply_until_done``)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from shared.db import create_pool, drop_database, ensure_database
from shared.eventstore import RecordedEvent
from shared.messaging.kafka import encode
from shared.projections import Delivery, Projection, ProjectionRunner, QuarantineError
from shared.projections.runner import quarantine_counts, quarantined
from shared.worker import apply_until_done
from services.funding.adapters.schema import CHAIN
from tests.integration.funding import steps
from tests.integration.funding.conftest import FundingHarness
from tests.support.cli import run_cli
from tests.support.db import EVENT_STORE_ONLY, create_tables, dispose, fresh_store_pool, migrated

TRANCHES = [{"tranche_no": 1, "amount": "300.00"}, {"tranche_no": 2, "amount": "700.00", "milestone_id": "M-2"}]


class Notes(Projection):
    """Stores each note; a note reading "poison" breaks it while ``broken`` is set (the defect)."""

    name = "q_notes"
    sources = ("test",)
    tables = ("q.notes",)
    ddl = "create schema if not exists q; create table if not exists q.notes (position bigint primary key, text text)"
    broken = True

    async def apply(self, conn, event: RecordedEvent) -> None:
        if self.broken and event.payload["text"] == "poison":
            raise ValueError("cannot apply a poison note")
        await conn.execute("insert into q.notes values ($1, $2)", event.global_position, event.payload["text"])


def record(offset: int, text: str) -> Delivery:
    now = datetime.now(UTC)
    event = RecordedEvent(event_id=uuid4(), type="test.Noted", schema_version=1, source="test",
                          stream_id=f"notebook-{offset}", stream_version=1, global_position=offset + 1,
                          occurred_at=now, recorded_at=now, correlation_id=uuid4(), actor="test",
                          payload={"text": text})
    return Delivery("test.events", 0, offset, encode(event), {})


@pytest.fixture
async def notes(settings):
    name, pool = await fresh_store_pool(settings, "quarantine")
    runner = ProjectionRunner(pool, Notes(), {"test": "test.events"})
    await create_tables(pool, Notes.ddl)
    yield runner
    await dispose(settings, name, pool)


async def texts(runner: ProjectionRunner) -> list[str]:
    async with runner.pool.acquire() as conn:
        return [r["text"] for r in await conn.fetch("select text from q.notes order by position")]


async def test_a_poison_record_is_held_with_its_error_and_the_projection_moves_on(notes):
    batch = [record(i, t) for i, t in enumerate(["a", "b", "poison", "c", "d"])]
    # Before quarantine, this never returned: the batch was retried in place for ever.
    await asyncio.wait_for(apply_until_done(notes, batch, attempts=3, max_wait=0.02), timeout=30)
    assert await texts(notes) == ["a", "b", "c", "d"]
    async with notes.pool.acquire() as conn:
        held = await quarantined(conn)
        assert await quarantine_counts(conn) == {"q_notes": 1}
    assert len(held) == 1
    assert (held[0]["offset"], held[0]["position"], held[0]["attempts"]) == (2, 3, 3)
    assert "cannot apply a poison note" in held[0]["error"]
    # The projection has moved past it: the same records delivered again change nothing.
    assert await notes.apply_batch(batch) == 0
    await apply_until_done(notes, [record(5, "e")], attempts=3, max_wait=0.02)
    assert await texts(notes) == ["a", "b", "c", "d", "e"]


async def test_a_held_record_is_announced_on_the_services_quarantine_topic(notes, settings):
    from shared.messaging.kafka import ensure_declared_topics
    from shared.worker import ServiceResources
    from tests.faults.checks import read_topic

    own = settings.model_copy(update={"topic_prefix": f"{settings.topic_prefix}q{secrets.token_hex(2)}."})
    resources = ServiceResources("test", own, [], EVENT_STORE_ONLY)
    await ensure_declared_topics(own, resources.topics)
    poison = record(1, "poison")
    await asyncio.wait_for(apply_until_done(notes, [record(0, "a"), poison], attempts=2, max_wait=0.02,
                                            announce=resources.announce_quarantined), timeout=30)
    on_topic = [r for batch in (await read_topic(own, own.quarantine_topic("test"))).values() for r in batch]
    assert [r.value for r in on_topic] == [poison.value]
    headers = dict(on_topic[0].headers)
    assert headers["x-quarantine-projection"] == b"q_notes" and headers["x-quarantine-offset"] == b"1"
    assert b"cannot apply a poison note" in headers["x-quarantine-error"]
    await resources._announcer.stop()  # noqa: SLF001


async def test_retry_after_the_fix_applies_once_and_skip_is_recorded(notes):
    await asyncio.wait_for(apply_until_done(notes, [record(0, "poison"), record(1, "poison")], attempts=2,
                                            max_wait=0.02), timeout=30)
    async with notes.pool.acquire() as conn:
        first, second = [r["id"] for r in await quarantined(conn)]
    with pytest.raises(ValueError):  # not fixed yet: still fails, still held
        await notes.retry_quarantined(first, "ops")
    notes.projection.broken = False  # the fix
    await notes.retry_quarantined(first, "ops")
    with pytest.raises(QuarantineError):
        await notes.retry_quarantined(first, "ops")
    await notes.skip_quarantined(second, "ops")
    with pytest.raises(QuarantineError):
        await notes.retry_quarantined(second, "ops")
    assert await texts(notes) == ["poison"]
    async with notes.pool.acquire() as conn:
        rows = await quarantined(conn, status=None)
        assert await quarantine_counts(conn) == {}
    assert [(r["status"], r["resolved_by"]) for r in rows] == [("retried", "ops"), ("skipped", "ops")]




@pytest.fixture
async def funding(settings):
    """Funding's database under a prefix of its own, so that the CLI finds it by service name."""
    mine = settings.model_copy(update={"db_prefix": f"{settings.db_prefix}q{secrets.token_hex(2)}_"})
    await ensure_database(mine, mine.db_prefix + "funding")
    await migrated(mine, mine.db_prefix + "funding", CHAIN)
    pool = await create_pool(mine.dsn("funding"), max_size=20)
    harness = FundingHarness(pool)
    harness.settings = mine
    yield harness
    await pool.close()
    await drop_database(mine, mine.db_prefix + "funding")


async def test_a_quarantined_milestone_releases_its_tranche_once_when_retried_after_the_fix(funding, monkeypatch):
    from services.funding.handlers import tranches

    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "1000.00", project_id="P-Q",
                                 tranches=TRANCHES)

    async def defect(*args, **kwargs):
        raise RuntimeError("the release handler has a defect")

    fixed = tranches.on_milestone_verified
    monkeypatch.setattr(tranches, "on_milestone_verified", defect)
    runner = funding.runners["milestone_releases"]
    verified = funding.verification("P-Q", "M-2", village, date(2022, 7, 1))
    await asyncio.wait_for(apply_until_done(runner, [verified], attempts=2, max_wait=0.02), timeout=30)
    assert (await funding.events(f"allocation-{alloc}")).count("TrancheReleased") == 0

    listed = run_cli(funding.settings, "projections", "quarantine", "list", "--service", "funding")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "milestone_releases" in listed.stdout and "defect" in listed.stdout and "total: 1" in listed.stdout
    async with funding.pool.acquire() as conn:
        (held,) = [r["id"] for r in await quarantined(conn)]

    with pytest.raises(RuntimeError):  # still broken: the retry fails and the record stays held
        await runner.retry_quarantined(held, "ops")
    assert (await funding.events(f"allocation-{alloc}")).count("TrancheReleased") == 0

    monkeypatch.setattr(tranches, "on_milestone_verified", fixed)
    # The fix, deployed: the CLI runs in a process of its own, with the real handler.
    retried = run_cli(funding.settings, "projections", "quarantine", "retry", "funding", str(held))
    assert retried.returncode == 0, retried.stdout + retried.stderr
    again = run_cli(funding.settings, "projections", "quarantine", "retry", "funding", str(held))
    assert again.returncode == 1 and "already retried" in again.stdout
    assert await funding.redeliver(verified) == 0  # and Kafka delivering it again changes nothing
    assert (await funding.events(f"allocation-{alloc}")).count("TrancheReleased") == 1
    assert await funding.fetchval(
        "select released from funding.tranche_balances where allocation_id = $1 and tranche_no = 2", alloc)


async def test_metrics_of_a_service_export_lag_and_quarantine_counts(funding):
    import httpx
    from fastapi import FastAPI

    from services.funding.projections import PROJECTIONS
    from shared.eventstore import EventStore
    from shared.http.metrics import metrics_router

    village = await funding.village()
    runner = funding.runners["milestone_releases"]
    broken = funding.verification("P-M", "M-1", village)
    broken = Delivery(broken.topic, broken.partition, broken.offset, b"not a record", {})  # does not even decode
    await asyncio.wait_for(apply_until_done(runner, [broken], attempts=2, max_wait=0.02), timeout=30)

    app = FastAPI()
    app.include_router(metrics_router("funding", PROJECTIONS))
    app.state.store, app.state.settings = EventStore(funding.pool, "funding"), funding.settings
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://funding") as client:
        text = (await client.get("/metrics")).text
        await app.state.end_offsets.close()
    assert 'xingcun_projection_quarantined{projection="milestone_releases",service="funding"} 1.0' in text
    assert 'xingcun_projection_quarantined{projection="ledger",service="funding"} 0.0' in text
    for p in PROJECTIONS:
        for source in p.sources:
            assert (f'xingcun_projection_lag_events{{projection="{p.name}",service="funding",'
                    f'topic="{funding.settings.topic(source)}"}}') in text
    assert 'xingcun_relay_unpublished_events{service="funding"}' in text
