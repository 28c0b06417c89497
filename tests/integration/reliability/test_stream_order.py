"""Per-stream order in the log: position order equals version order, for every stream, always.

The sequencer orders events by a key it can trust not to be overtaken (see
docs/reliability.md, "The sequencer"). A transaction's id is taken at its first write, so a
transaction that wrote early (the funding reactor records its position first) can append
version N+1 of a stream with an older id than the transaction that committed version N.
These tests drive exactly that interleaving over two (three) real connections.
"""

from __future__ import annotations

import asyncio

from shared.eventstore import CommandMeta, EventStore
from shared.outbox.sequencer import Sequencer
from tests.support.db import sequence_until
from tests.support.events import Noted

META = CommandMeta(actor="test:order")


async def stream_positions(store: EventStore, stream: str) -> list[tuple[int, int]]:
    """(version, position) of a stream's sequenced events, in position order."""
    async with store.pool.acquire() as conn:
        rows = await conn.fetch(
            """select e.stream_version, l.position from es.log l join es.events e on e.id = l.event_row
               where e.stream_id = $1 order by l.position""", stream)
    return [(r["stream_version"], r["position"]) for r in rows]


async def assert_every_stream_in_order(store: EventStore) -> None:
    async with store.pool.acquire() as conn:
        broken = await conn.fetch(
            """select stream_id from (
                   select e.stream_id, e.stream_version,
                          lag(e.stream_version) over (partition by e.stream_id order by l.position) as before
                   from es.log l join es.events e on e.id = l.event_row) s
               where before is not null and before <> stream_version - 1""")
    assert not broken, f"streams out of order in the log: {[r['stream_id'] for r in broken]}"


async def test_an_early_transaction_id_cannot_put_version_n_plus_1_before_n(store):
    pool = store.pool
    async with pool.acquire() as early, pool.acquire() as other:
        async with early.transaction():
            # The reactor's shape: a write first (here only the id it takes), the append later.
            early_tx = await early.fetchval("select pg_current_xact_id()::text::bigint")
            async with other.transaction():  # version 1, committed by a younger transaction
                await store.append(other, "notebook-1", 0, [Noted(text="N")], META)
                later_tx = await other.fetchval("select pg_current_xact_id()::text::bigint")
            assert early_tx < later_tx
            await store.append(early, "notebook-1", 1, [Noted(text="N+1")], META)
    assert await sequence_until(pool, 2) == 2
    assert [v for v, _ in await stream_positions(store, "notebook-1")] == [1, 2]
    await assert_every_stream_in_order(store)


async def test_version_n_plus_1_waits_for_n_while_a_transaction_between_them_runs(store):
    """The horizon can fall between the two ids: N+1 must not be sequenced without N."""
    pool = store.pool
    sequencer = Sequencer(pool)
    async with pool.acquire() as early, pool.acquire() as between, pool.acquire() as other:
        await early.execute("begin")
        await early.fetchval("select pg_current_xact_id()")
        await between.execute("begin")
        await between.fetchval("select pg_current_xact_id()")  # older than version 1's writer
        async with other.transaction():
            await store.append(other, "notebook-1", 0, [Noted(text="N")], META)
        await store.append(early, "notebook-1", 1, [Noted(text="N+1")], META)
        await early.execute("commit")
        # The early writer has ended; version 1's writer is younger than a transaction still
        # running, so version 1 cannot be sequenced yet — and so neither may version 2.
        await sequencer.sequence_once()
        assert await stream_positions(store, "notebook-1") == []
        await between.execute("commit")
    assert await sequence_until(pool, 2) == 2
    assert [v for v, _ in await stream_positions(store, "notebook-1")] == [1, 2]


async def test_many_interleaved_writers_keep_every_stream_in_order(store):
    """Writers that take their ids early and append in turns to shared streams."""
    pool = store.pool
    streams = [f"notebook-{i}" for i in range(4)]

    async def writer(k: int) -> int:
        done = 0
        for round_ in range(15):
            async with pool.acquire() as conn:
                try:
                    async with conn.transaction():
                        await conn.fetchval("select pg_current_xact_id()")  # the id, early
                        await asyncio.sleep(0.002 * ((k + round_) % 3))
                        stream = streams[(k + round_) % len(streams)]
                        head = await conn.fetchval(
                            "select coalesce(max(stream_version), 0) from es.events where stream_id = $1", stream)
                        await store.append(conn, stream, head, [Noted(text=f"{k}.{round_}")], META)
                    done += 1
                except Exception:  # noqa: BLE001 - a lost race for a version: the next round
                    pass
        return done

    sequencer = Sequencer(pool)
    stop = asyncio.Event()

    async def sequence_meanwhile() -> None:  # batches cut anywhere in the interleaving
        while not stop.is_set():
            await sequencer.sequence_once()
            await asyncio.sleep(0.001)

    running = asyncio.create_task(sequence_meanwhile())
    try:
        appended = sum(await asyncio.gather(*(writer(k) for k in range(6))))
    finally:
        stop.set()
        await running
    assert appended > 20
    assert await sequence_until(pool, appended, timeout=20) == appended
    await assert_every_stream_in_order(store)
