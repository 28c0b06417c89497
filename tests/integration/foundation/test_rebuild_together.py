"""Rebuilding several projections in one pass over real Kafka topics: each ends as if its
records had been applied one by one, copies the relay published twice are skipped, and a
failing projection stops the rebuild with its own error, its locks released."""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from shared.eventstore import RecordedEvent
from shared.messaging.kafka import decode, encode, ensure_topics, event_producer
from shared.projections import Delivery, Projection, ProjectionRunner, rebuild_together
from shared.projections import runner as runner_module
from tests.support.db import create_tables, dispose, fresh_store_pool


class Seen(Projection):
    """Every event applied, in order, per topic it reads."""

    sources = ("a",)

    def __init__(self, name: str, sources: tuple[str, ...]):
        self.name, self.sources = name, sources
        self.tables = (f"t.seen_{name}",)
        self.ddl = f"""create schema if not exists t;
            create table if not exists t.seen_{name} (n serial primary key, source text, position bigint);"""

    async def apply_batch(self, conn, events):
        await conn.executemany(f"insert into t.seen_{self.name} (source, position) values ($1, $2)",
                               [(e.source, e.global_position) for e in events])


class Broken(Seen):
    async def apply_batch(self, conn, events):
        raise RuntimeError("a projection bug")


def event(source: str, position: int) -> RecordedEvent:
    now = datetime.now(UTC)
    return RecordedEvent(event_id=uuid4(), type="Noted", schema_version=1, source=source, stream_id=f"{source}-1",
                         stream_version=position, global_position=position, occurred_at=now, recorded_at=now,
                         correlation_id=uuid4(), actor="t", payload={})


@pytest.fixture
async def topics(settings):
    """Topics a (positions 1–30, with 11–13 published twice) and b (1–5), one partition each."""
    names = {s: f"{settings.topic_prefix}rt{secrets.token_hex(3)}.{s}" for s in ("a", "b")}
    await ensure_topics(settings, list(names.values()), 1)
    producer = event_producer(settings)
    await producer.start()
    try:
        for position in [*range(1, 14), 11, 12, 13, *range(14, 31)]:
            await producer.send_and_wait(names["a"], encode(event("a", position)))
        for position in range(1, 6):
            await producer.send_and_wait(names["b"], encode(event("b", position)))
    finally:
        await producer.stop()
    return names


@pytest.fixture
async def pool(settings):
    name, pool = await fresh_store_pool(settings, "rebuild", max_size=4)
    yield pool
    await dispose(settings, name, pool)


async def runner_for(pool, projection: Projection, topics: dict[str, str]) -> ProjectionRunner:
    runner = ProjectionRunner(pool, projection, {s: topics[s] for s in projection.sources})
    await create_tables(pool, projection.ddl)
    return runner


async def seen(runner: ProjectionRunner) -> list[tuple[str, int]]:
    return [row[1:] for row in (await runner.snapshot())[runner.projection.tables[0]]]


async def test_one_pass_rebuilds_each_projection_as_one_by_one(settings, topics, pool):
    only_a = await runner_for(pool, Seen("only_a", ("a",)), topics)
    both = await runner_for(pool, Seen("both", ("a", "b")), topics)
    done = await rebuild_together([only_a, both], settings, batch_size=7)
    assert done == {"only_a": 33, "both": 38}  # records gone through, the copies included
    assert await seen(only_a) == [("a", p) for p in range(1, 31)]
    assert sorted(await seen(both)) == sorted([("a", p) for p in range(1, 31)] + [("b", p) for p in range(1, 6)])

    # Live deliveries after the rebuild: those it covered are skipped, a new one is applied.
    again = Delivery(topics["a"], 0, 32, encode(event("a", 30)), {})
    fresh = Delivery(topics["a"], 0, 33, encode(event("a", 31)), {})
    assert await only_a.apply_batch([again, fresh]) == 1
    assert (await seen(only_a))[-1] == ("a", 31)


async def test_a_failing_projection_stops_the_rebuild_with_its_error(settings, topics, pool):
    good = await runner_for(pool, Seen("good", ("a",)), topics)
    broken = await runner_for(pool, Broken("broken", ("a",)), topics)
    with pytest.raises(RuntimeError, match="a projection bug"):
        await rebuild_together([good, broken], settings, batch_size=5)
    # Its locks were released and its connections returned: the next rebuild runs.
    assert await good.rebuild(settings) == 33
    assert len(await seen(good)) == 30


async def test_with_tracing_each_applied_event_keeps_its_record_for_its_span(settings, topics, pool, monkeypatch):
    """Only with tracing on does a rebuild keep the records (their headers carry the trace
    context): each applied event is spanned with its own record, the copies with none."""
    paired: list[tuple[str, Delivery, RecordedEvent]] = []

    @contextmanager
    def spans(name, fresh):
        paired.extend((name, d, e) for d, e in fresh)
        yield

    monkeypatch.setattr(runner_module.tracing, "enabled", lambda: True)
    monkeypatch.setattr(runner_module, "_apply_spans", spans)
    both = await runner_for(pool, Seen("traced", ("a", "b")), topics)
    assert await rebuild_together([both], settings, batch_size=7) == {"traced": 38}
    assert len(paired) == 35
    assert all(decode(d.value) == e and d.topic == topics[e.source] for _, d, e in paired)
    assert sorted((e.source, e.global_position) for _, _, e in paired) == sorted(await seen(both))
