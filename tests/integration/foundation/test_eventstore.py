"""The event store against the real PostgreSQL."""

from __future__ import annotations

import asyncio
import random

import pytest

from shared.eventstore import CommandMeta, ConcurrencyError, EventStore, IdempotencyKeyReused, UnknownEvent
from shared.outbox.sequencer import Sequencer
from tests.support.db import sequence_until
from tests.support.events import Noted, note

META = CommandMeta(actor="test:alice")


def sequencer(store: EventStore) -> Sequencer:
    return Sequencer(store.pool)


async def sequence_all(store: EventStore, expected: int) -> list:
    await sequence_until(store.pool, expected)
    return await store.read_all(0, limit=100_000)


async def append(store: EventStore, stream: str, expected: int, *texts: str):
    async with store.pool.acquire() as conn, conn.transaction():
        return await store.append(conn, stream, expected, [Noted(text=t) for t in texts], META)


async def test_append_then_read_stream_keeps_order_and_metadata(store):
    recorded = await append(store, "notebook-1", 0, "a", "b")
    assert [e.stream_version for e in recorded] == [1, 2]
    events = await store.read_stream(None, "notebook-1")
    assert [e.payload["text"] for e in events] == ["a", "b"]
    first = events[0]
    assert first.type == "test.Noted" and first.schema_version == 1 and first.actor == "test:alice"
    assert first.correlation_id == META.correlation_id
    assert first.recorded_at >= first.occurred_at
    assert isinstance(first.decode(), Noted)


async def test_conflicting_append_raises_typed_error_and_writes_nothing(store):
    await append(store, "notebook-1", 0, "a")
    with pytest.raises(ConcurrencyError):
        await append(store, "notebook-1", 0, "b", "c")
    with pytest.raises(ConcurrencyError):  # expecting a version the stream never reached
        await append(store, "notebook-1", 5, "d")
    assert [e.payload["text"] for e in await store.read_stream(None, "notebook-1")] == ["a"]


async def test_concurrent_appends_to_one_stream_have_exactly_one_winner_per_version(store):
    await append(store, "notebook-1", 0, "seed")

    async def contender(i: int):
        try:
            await append(store, "notebook-1", 1, f"writer-{i}")
            return i
        except ConcurrencyError:
            return None

    winners = [w for w in await asyncio.gather(*(contender(i) for i in range(20))) if w is not None]
    assert len(winners) == 1
    events = await store.read_stream(None, "notebook-1")
    assert [e.stream_version for e in events] == [1, 2]
    assert events[1].payload["text"] == f"writer-{winners[0]}"


async def test_unknown_event_type_is_kept_as_raw_data(store):
    async with store.pool.acquire() as conn:
        await conn.execute(
            """insert into es.events (event_id, stream_id, stream_version, type, schema_version,
                   occurred_at, correlation_id, actor, payload)
               values (gen_random_uuid(), 'x-1', 1, 'FromTheFuture', 3, now(), gen_random_uuid(), 'a', '{"k": 1}')"""
        )
    [event] = await store.read_stream(None, "x-1")
    decoded = event.decode()
    assert isinstance(decoded, UnknownEvent) and decoded.payload == {"k": 1}


async def test_retried_command_returns_first_result_and_appends_nothing(store):
    handler = note("7", "once")
    first = await store.execute("Note", {"text": "once"}, META, handler, idempotency_key="k-1")
    again = await store.execute("Note", {"text": "once"}, META, handler, idempotency_key="k-1")
    assert (first.replayed, again.replayed) == (False, True)
    assert again.result == first.result and first.result["version"] == 1
    assert len(await store.read_stream(None, "notebook-7")) == 1
    with pytest.raises(IdempotencyKeyReused):
        await store.execute("Note", {"text": "other"}, META, handler, idempotency_key="k-1")


async def test_concurrent_duplicates_of_one_command_take_effect_once(store):
    handler = note("8", "x")
    results = await asyncio.gather(
        *(store.execute("Note", {"n": 1}, META, handler, idempotency_key="dup") for _ in range(10))
    )
    assert {r.result["version"] for r in results} == {1}
    assert sum(not r.replayed for r in results) == 1
    assert len(await store.read_stream(None, "notebook-8")) == 1


async def test_global_order_never_skips_an_event_committed_late(store):
    """The gap problem: a writer that began first but commits last must not be skipped."""
    seq = sequencer(store)
    slow = await store.pool.acquire()
    tx = slow.transaction()
    await tx.start()
    await store.append(slow, "notebook-slow", 0, [Noted(text="slow")], META)  # holds a low xid
    await append(store, "notebook-fast", 0, "fast")  # commits first, with a higher xid
    await seq.sequence_once()
    assert [e.stream_id for e in await store.read_all(0)] == []  # held back behind the open writer
    await tx.commit()
    await store.pool.release(slow)
    assert [e.stream_id for e in await sequence_all(store, 2)] == ["notebook-slow", "notebook-fast"]


async def test_concurrent_writers_are_read_exactly_once_in_commit_order(store):
    """Many writers, commits in random order, a sequencer running meanwhile: the global
    log holds every committed event once; if A committed before B began, A comes first."""
    seq = sequencer(store)
    loop = asyncio.get_running_loop()
    spans: dict[str, tuple[float, float]] = {}  # stream -> (began, committed)
    done = asyncio.Event()

    async def writer(w: int):
        for i in range(15):
            stream = f"notebook-{w}-{i}"
            async with store.pool.acquire() as conn:
                began = loop.time()
                async with conn.transaction():
                    await store.append(conn, stream, 0, [Noted(text=stream)], META)
                    await asyncio.sleep(random.random() * 0.01)
                spans[stream] = (began, loop.time())

    async def sequence_meanwhile():
        while not done.is_set():
            await seq.sequence_once()
            await asyncio.sleep(0.001)

    reader = asyncio.create_task(sequence_meanwhile())
    await asyncio.gather(*(writer(w) for w in range(16)))
    done.set()
    await reader

    log = await sequence_all(store, 16 * 15)
    streams = [e.stream_id for e in log]
    assert sorted(streams) == sorted(spans) and len(set(streams)) == len(streams) == 16 * 15
    assert [e.global_position for e in log] == list(range(1, len(log) + 1))
    position = {e.stream_id: e.global_position for e in log}
    for a, (_, a_committed) in spans.items():
        for b, (b_began, _) in spans.items():
            if a_committed < b_began:
                assert position[a] < position[b], (a, b)


async def test_event_stored_at_version_1_is_read_as_version_2(store):
    from shared.eventstore import DomainEvent, upcaster

    class Renamed(DomainEvent, type="test.Renamed", version=2, service="test"):
        name_zh: str
        name_en: str

    @upcaster("test.Renamed", from_version=1)
    def split_name(payload: dict) -> dict:
        return {"name_zh": payload["name"], "name_en": ""}

    async with store.pool.acquire() as conn:  # a row exactly as version-1 code wrote it
        await conn.execute(
            """insert into es.events (event_id, stream_id, stream_version, type, schema_version,
                   occurred_at, correlation_id, actor, payload)
               values (gen_random_uuid(), 'old-1', 1, 'test.Renamed', 1, now(), gen_random_uuid(), 'a',
                       '{"name": "大口屯村"}')"""
        )
    [event] = await store.read_stream(None, "old-1")
    assert event.schema_version == 1  # stored as it was: the log is never rewritten
    assert event.decode() == Renamed(name_zh="大口屯村", name_en="")


async def test_an_event_above_256_kib_is_refused_with_a_clear_error_and_nothing_is_written(store):
    from shared.eventstore.bulk import append_new_streams
    from shared.eventstore.errors import MAX_EVENT_BYTES, EventTooLarge

    await append(store, "notebook-1", 0, "a")
    fits = "字" * ((MAX_EVENT_BYTES - 100) // 3)  # three bytes each in UTF-8: just within
    await append(store, "notebook-2", 0, fits)
    too_big = "字" * (MAX_EVENT_BYTES // 3 + 10)
    with pytest.raises(EventTooLarge) as refused:
        await append(store, "notebook-1", 1, "b", too_big)
    assert refused.value.status_code == 413 and "notebook-1" in refused.value.message
    assert "256" in refused.value.message or "262,144" in refused.value.message
    with pytest.raises(EventTooLarge):  # the bulk path (imports) keeps the same limit
        async with store.pool.acquire() as conn, conn.transaction():
            await append_new_streams(conn, [("notebook-3", [Noted(text="c")]), ("notebook-4", [Noted(text=too_big)])],
                                     META)
    assert [e.payload["text"] for e in await store.read_stream(None, "notebook-1")] == ["a"]
    assert await store.read_stream(None, "notebook-3") == []
