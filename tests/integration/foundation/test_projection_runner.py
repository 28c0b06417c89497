"""Exactly-once application of at-least-once deliveries, against the real PostgreSQL."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from shared.eventstore import RecordedEvent
from shared.messaging.kafka import encode
from shared.projections import Delivery, Projection, ProjectionRunner
from tests.support.db import create_tables, dispose, fresh_store_pool


class Tally(Projection):
    name = "tally"
    sources = ("test",)
    tables = ("t.tally",)
    ddl = "create schema if not exists t; create table if not exists t.tally (stream text primary key, n int not null);"

    async def apply(self, conn, event):
        await conn.execute(
            "insert into t.tally values ($1, 1) on conflict (stream) do update set n = t.tally.n + 1", event.stream_id
        )


def delivery(offset: int, position: int, stream: str = "s-1", partition: int = 0) -> Delivery:
    now = datetime.now(UTC)
    event = RecordedEvent(
        event_id=uuid4(), type="test.Noted", schema_version=1, source="test", stream_id=stream,
        stream_version=position, global_position=position, occurred_at=now, recorded_at=now,
        correlation_id=uuid4(), actor="t", payload={"text": "x"},
    )
    return Delivery("test.events", partition, offset, encode(event), {})


@asynccontextmanager
async def running(settings, projection):
    name, pool = await fresh_store_pool(settings, "proj")
    runner = ProjectionRunner(pool, projection, {"test": "test.events"})
    await create_tables(pool, projection.ddl)
    try:
        yield runner
    finally:
        await dispose(settings, name, pool)


@pytest.fixture
async def runner(settings):
    async with running(settings, Tally()) as runner:
        yield runner


async def tally(runner) -> dict[str, int]:
    return {row[0]: row[1] for row in (await runner.snapshot())["t.tally"]}


async def test_redelivered_record_has_no_second_effect(runner):
    assert await runner.apply_batch([delivery(0, 1), delivery(1, 2)]) == 2
    assert await runner.apply_batch([delivery(0, 1), delivery(1, 2), delivery(2, 3)]) == 1
    assert await tally(runner) == {"s-1": 3}


async def test_event_published_twice_under_new_offsets_is_skipped(runner):
    await runner.apply_batch([delivery(0, 1), delivery(1, 2)])
    # The relay died after Kafka's ack and sent positions 1–2 again, then the new 3.
    assert await runner.apply_batch([delivery(2, 1), delivery(3, 2), delivery(4, 3)]) == 1
    assert await tally(runner) == {"s-1": 3}
    assert (await runner.positions())[("test.events", 0)] == 4


async def test_partitions_are_tracked_separately(runner):
    await runner.apply_batch([delivery(0, 5, "a", partition=0)])
    assert await runner.apply_batch([delivery(0, 2, "b", partition=1)]) == 1  # lower position, other partition
    assert await tally(runner) == {"a": 1, "b": 1}


class Batched(Tally):
    """Tally that takes each batch in one call, and notes what it was given."""

    name = "batched"

    def __init__(self):
        self.calls: list[list[int]] = []

    async def apply_batch(self, conn, events):
        self.calls.append([e.global_position for e in events])
        await conn.executemany(
            "insert into t.tally values ($1, 1) on conflict (stream) do update set n = t.tally.n + 1",
            [(e.stream_id,) for e in events],
        )


@pytest.fixture
async def batched(settings):
    async with running(settings, Batched()) as runner:
        yield runner


async def test_a_batch_reaches_the_projection_once_without_its_duplicates(batched):
    # In one batch: a fresh run, the relay's second copy of 1–2 under new offsets, then a new event.
    applied = await batched.apply_batch([delivery(0, 1), delivery(1, 2), delivery(2, 1), delivery(3, 2), delivery(4, 3)])
    assert applied == 3 and batched.projection.calls == [[1, 2, 3]]
    # Redelivered after a crash, with one new record: only the new one is applied.
    assert await batched.apply_batch([delivery(3, 2), delivery(4, 3), delivery(5, 4)]) == 1
    assert batched.projection.calls[-1] == [4]
    assert await tally(batched) == {"s-1": 4} and (await batched.positions())[("test.events", 0)] == 5


async def test_a_batch_of_only_duplicates_moves_the_offset_and_applies_nothing(batched):
    await batched.apply_batch([delivery(0, 1), delivery(1, 2)])
    assert await batched.apply_batch([delivery(2, 1), delivery(3, 2)]) == 0
    assert batched.projection.calls == [[1, 2]] and (await batched.positions())[("test.events", 0)] == 3


async def test_a_failing_batch_writes_neither_model_nor_offsets(batched):
    await batched.apply_batch([delivery(0, 1)])

    async def broken(conn, events):
        await conn.execute("insert into t.tally values ('x', 1)")
        raise RuntimeError("projection bug")

    batched.projection.apply_batch = broken
    with pytest.raises(RuntimeError):
        await batched.apply_batch([delivery(1, 2), delivery(2, 3)])
    assert await tally(batched) == {"s-1": 1} and (await batched.positions())[("test.events", 0)] == 0


async def noted(runner) -> list[tuple]:
    async with runner.pool.acquire() as conn:
        return [tuple(r) for r in await conn.fetch(
            'select topic, partition, "offset", position, updated_at from proj.positions where projection = $1 '
            "order by topic, partition", runner.projection.name)]


async def test_a_batch_back_on_a_partition_it_left_still_steps_over_copies(batched):
    # Partition 0, then 1, then 0 again, whose second run carries a copy of position 2.
    applied = await batched.apply_batch([delivery(0, 1), delivery(1, 2), delivery(0, 7, "b", partition=1),
                                         delivery(2, 2), delivery(3, 3)])
    assert applied == 4 and batched.projection.calls == [[1, 2, 7, 3]]
    assert [row[:4] for row in await noted(batched)] == [("test.events", 0, 3, 3), ("test.events", 1, 0, 7)]


async def test_a_batch_applied_before_changes_no_row_of_the_positions(batched):
    # The positions are noted with the claim, before the loop knows what is new: a batch that
    # reaches no further than what is noted must leave the rows as they are.
    await batched.apply_batch([delivery(0, 1), delivery(1, 2)])
    before = await noted(batched)
    assert await batched.apply_batch([delivery(0, 1), delivery(1, 2)]) == 0
    assert await noted(batched) == before and batched.projection.calls == [[1, 2]]


class Selective(Tally):
    """Tally, naming the one type it counts: the runner may pass over the rest."""

    handles = frozenset({"test.Noted"})


def other(offset: int, position: int) -> Delivery:
    now = datetime.now(UTC)
    event = RecordedEvent(
        event_id=uuid4(), type="test.Ignored", schema_version=1, source="test", stream_id="x-1",
        stream_version=position, global_position=position, occurred_at=now, recorded_at=now,
        correlation_id=uuid4(), actor="t", payload={},
    )
    return Delivery("test.events", 0, offset, encode(event), {})


async def test_a_batch_of_types_it_does_not_handle_only_moves_its_offsets(settings):
    async with running(settings, Selective()) as runner:
        assert await runner.apply_batch([delivery(0, 1)]) == 1
        assert await runner.apply_batch([other(1, 2), other(2, 3)]) == 0
        assert (await runner.positions())[("test.events", 0)] == 2
        assert await runner.apply_batch([other(1, 2)]) == 0  # redelivered: the offset never moves back
        assert (await runner.positions())[("test.events", 0)] == 2
        # The positions the pass-over recorded still step over copies: position 1 published again.
        assert await runner.apply_batch([delivery(3, 1), delivery(4, 4)]) == 1
        assert await tally(runner) == {"s-1": 2}
