"""Bulk appends of new streams by COPY: the same rows an append writes, in order, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import shared.eventstore.bulk as bulk
from shared.eventstore import CommandMeta, ConcurrencyError
from tests.support.db import sequence_until
from tests.support.events import Noted

META = CommandMeta(actor="test:bulk", occurred_at=datetime(2021, 3, 1, tzinfo=UTC))


def streams(first: int, count: int, per_stream: int = 1) -> list[tuple[str, list[Noted]]]:
    return [(f"notebook-{i}", [Noted(text=f"{i}.{v}") for v in range(per_stream)]) for i in range(first, first + count)]


async def test_streams_in_chunks_land_in_order_with_versions_and_metadata(store, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 7)  # several chunks, the last one short
    async with store.pool.acquire() as conn, conn.transaction():
        assert await bulk.append_new_streams(conn, iter(streams(0, 10, per_stream=2)), META) == 20
    await sequence_until(store.pool, 20)
    log = await store.read_all(0, limit=100)
    assert [e.payload["text"] for e in log] == [f"{i}.{v}" for i in range(10) for v in range(2)]
    assert [e.stream_version for e in log[:2]] == [1, 2] and len({e.event_id for e in log}) == 20
    first = log[0]
    assert (first.type, first.actor, first.occurred_at) == ("test.Noted", "test:bulk", META.occurred_at)
    assert first.correlation_id == META.correlation_id


async def test_an_existing_stream_fails_the_whole_append(store, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 3)
    async with store.pool.acquire() as conn, conn.transaction():
        await store.append(conn, "notebook-5", 0, [Noted(text="there first")], META)
    with pytest.raises(ConcurrencyError):
        async with store.pool.acquire() as conn, conn.transaction():
            await bulk.append_new_streams(conn, streams(0, 10), META)
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from es.events") == 1


async def test_a_failing_generator_leaves_the_connection_usable_and_writes_nothing(store, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 2)

    def made():
        yield from streams(0, 5)
        raise ValueError("a rule refused the sixth")

    async with store.pool.acquire() as conn:
        with pytest.raises(ValueError):
            async with conn.transaction():  # its rollback needs the chunk in flight finished
                await bulk.append_new_streams(conn, made(), META)
        assert await conn.fetchval("select count(*) from es.events") == 0
        assert await bulk.append_new_streams(conn, [], META) == 0


async def test_encoded_events_are_stored_as_given(store):
    made = [("notebook-1", [bulk.Encoded(Noted.event_type, Noted.version, Noted(text="天津").model_dump_json())]),
            ("notebook-2", [Noted(text="天津")])]
    async with store.pool.acquire() as conn, conn.transaction():
        assert await bulk.append_new_streams(conn, made, META) == 2
    async with store.pool.acquire() as conn:
        rows = await conn.fetch("select type, schema_version, payload::text from es.events order by id")
    assert rows[0] == rows[1] and rows[0]["type"] == "test.Noted"
