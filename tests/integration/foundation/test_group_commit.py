"""Group commit: commands finishing while a write is on the wire go together in one statement
and one commit — and each still gets its own answer, a failure of one failing no other.

To make a group on purpose, the store allows one write on the wire and the first command's
write is held up: another transaction has written (not committed) the row its append
collides with, so PostgreSQL makes it wait; the commands started meanwhile queue behind it
and go together once it returns."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import pytest

from shared.eventstore import CommandMeta, EventStore
from shared.eventstore.errors import Conflict
from shared.eventstore.group_commit import GroupCommit
from shared.eventstore.store import owned_key
from tests.integration.foundation.test_command_unit import create, wait_for_lock_waiter
from tests.support.db import dispose, fresh_store_pool
from tests.support.events import Noted

META = CommandMeta(actor="test:gc")
LOCK = 7_300_001


@pytest.fixture(scope="module")  # one database for the module: each test writes streams of its own
async def store(settings):
    name, pool = await fresh_store_pool(settings, "gc")
    store = EventStore(pool, "test")
    store._group = GroupCommit(in_flight=1)  # noqa: SLF001 — one write on the wire: the rest queue
    yield store
    await dispose(settings, name, pool)


async def queued(store: EventStore, count: int) -> None:
    """Until ``count`` commands wait behind the write in flight."""
    for _ in range(500):
        if len(store._group._queue) >= count:  # noqa: SLF001 — what the test arranges
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} commands never queued")


async def writing(store: EventStore, count: int) -> None:
    for _ in range(500):
        if store._group._writing >= count:  # noqa: SLF001
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} writes never went on the wire")


@asynccontextmanager
async def held_up(store: EventStore, key: str, on_the_wire: int = 1):
    """A command creating notebook ``key`` is started and kept waiting on an uncommitted
    rival row; leaving the block rolls the rival back, and the command goes through."""
    async with store.pool.acquire() as conn:
        rival = conn.transaction()
        await rival.start()
        await store.append(conn, f"notebook-{key}", 0, [Noted(text="rival")], META)
        first = asyncio.create_task(store.execute("Create", {}, META, create(key, "first"), idempotency_key=key))
        await writing(store, on_the_wire)
        try:
            yield first
        finally:
            await rival.rollback()
    assert (await first).result == {"version": 1}


async def stream_txs(store: EventStore, keys: list[str]) -> list[int]:
    async with store.pool.acquire() as conn:
        return [r[0] for r in await conn.fetch(
            "select tx::text::bigint from es.events where stream_id = any($1::text[]) order by id",
            [f"notebook-{k}" for k in keys])]


async def test_commands_finishing_together_share_one_statement_each_with_its_own_record(store):
    keys = [f"g{i}" for i in range(6)]
    async with held_up(store, "lead-g"):
        tasks = [asyncio.create_task(store.execute("Create", {"k": k}, META, create(k, k), idempotency_key=k))
                 for k in keys]
        await queued(store, len(keys))
    results = await asyncio.gather(*tasks)
    assert [r.result for r in results] == [{"version": 1}] * len(keys)
    assert len(set(await stream_txs(store, keys))) == 1  # one transaction for all six
    async with store.pool.acquire() as conn:
        stored = await conn.fetch("select idempotency_key, result from es.commands where idempotency_key = any($1)",
                                  [owned_key(META.actor, k) for k in keys])
    assert sorted((r["idempotency_key"], r["result"]) for r in stored) == sorted(
        (owned_key(META.actor, k), {"version": 1}) for k in keys)
    again = await store.execute("Create", {"k": "g3"}, META, create("g3", "g3"), idempotency_key="g3")
    assert again.replayed and again.result == {"version": 1}


async def test_a_conflict_in_a_group_fails_that_command_alone(store):
    await store.execute("Create", {}, META, create("taken", "there"))
    async with held_up(store, "lead-c"):
        tasks = [asyncio.create_task(store.execute("Create", {}, META, create(k, k)))
                 for k in ("ok1", "taken", "ok2", "ok1")]  # a stream that exists, and one created twice
        await queued(store, len(tasks))
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[2].result == {"version": 1} and isinstance(results[1], Conflict), results
    twice = sorted((results[0], results[3]), key=lambda r: isinstance(r, Conflict))  # either may win
    assert twice[0].result == {"version": 1} and isinstance(twice[1], Conflict), results
    async with store.pool.acquire() as conn:
        texts = dict(await conn.fetch("select stream_id, payload->>'text' from es.events where stream_id = any($1)",
                                      ["notebook-taken", "notebook-ok1", "notebook-ok2"]))
    assert texts == {"notebook-taken": "there", "notebook-ok1": "ok1", "notebook-ok2": "ok2"}


async def test_a_retry_and_its_original_in_one_group_take_effect_once(store):
    async with held_up(store, "lead-r"):
        tasks = [asyncio.create_task(store.execute("Create", {"k": 1}, META, create("r", "once"), idempotency_key="r"))
                 for _ in range(3)]
        await queued(store, 3)
    results = await asyncio.gather(*tasks)
    assert sorted(r.replayed for r in results) == [False, True, True]
    assert {str(r.result) for r in results} == {"{'version': 1}"}
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from es.events where stream_id = 'notebook-r'") == 1


async def test_a_command_cancelled_while_it_waits_is_not_written_and_stops_no_other(store):
    async with held_up(store, "lead-x"):
        tasks = {k: asyncio.create_task(store.execute("Create", {}, META, create(k, k))) for k in ("c1", "c2", "c3")}
        await queued(store, 3)
        tasks["c2"].cancel()
    assert [(await tasks[k]).result for k in ("c1", "c3")] == [{"version": 1}] * 2
    with pytest.raises(asyncio.CancelledError):
        await tasks["c2"]
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from es.events where stream_id = 'notebook-c2'") == 0
    # the queue is free again: a lone command writes at once
    assert (await store.execute("Create", {}, META, create("c4", "c4"))).result == {"version": 1}


async def test_with_two_writes_allowed_on_the_wire_a_third_command_waits_for_one(store):
    store._group = GroupCommit(in_flight=2)  # noqa: SLF001
    try:
        async with held_up(store, "lead-1"), held_up(store, "lead-2", on_the_wire=2):
            assert not store._group._queue  # noqa: SLF001 — both went out at once
            third = asyncio.create_task(store.execute("Create", {}, META, create("w3", "w3")))
            await queued(store, 1)
        assert (await third).result == {"version": 1}
        assert store._group._writing == 0  # noqa: SLF001 — every slot given back
    finally:
        store._group = GroupCommit(in_flight=1)  # noqa: SLF001


def create_locked(key: str, text: str):
    """``create``, holding the shared lock ``LOCK`` from its write to its commit (as a registration does)."""
    async def handler(uow):
        await uow.hold_lock(LOCK, shared=True)
        return await create(key, text)(uow)
    return handler


async def test_commands_holding_the_same_lock_go_together_after_its_holder_and_hold_up_no_other(store):
    async with store.pool.acquire() as holder:
        await holder.execute("select pg_advisory_lock($1)", LOCK)  # a screening run's exclusive hold
        first = asyncio.create_task(store.execute("Create", {}, META, create_locked("l0", "l0")))
        await wait_for_lock_waiter(store.pool, LOCK)
        locked = store._locked_groups[((LOCK, True),)]  # noqa: SLF001 — the queue of that lock's commands
        rest = [asyncio.create_task(store.execute("Create", {}, META, create_locked(k, k))) for k in ("l1", "l2")]
        for _ in range(500):
            if len(locked._queue) == 2:  # noqa: SLF001
                break
            await asyncio.sleep(0.01)
        assert len(locked._queue) == 2  # noqa: SLF001
        # a command that takes no lock is written meanwhile: no group waiting for the lock delays it
        assert (await store.execute("Create", {}, META, create("free", "free"))).result == {"version": 1}
        assert await stream_txs(store, ["l0", "l1", "l2"]) == []  # nothing written before the lock is held
        await holder.execute("select pg_advisory_unlock($1)", LOCK)
    results = await asyncio.gather(first, *rest)
    assert [r.result for r in results] == [{"version": 1}] * 3
    txs = await stream_txs(store, ["l0", "l1", "l2"])
    assert len(txs) == 3 and txs[1] == txs[2] != txs[0]  # the two that queued: one statement, one transaction
    assert locked._writing == 0  # noqa: SLF001 — its slot given back


async def test_queues_of_locked_commands_are_dropped_once_idle_beyond_the_bound(store, monkeypatch):
    from shared.eventstore import store as store_module

    monkeypatch.setattr(store_module, "LOCKED_GROUPS", 2)

    def locked(key: str, lock: int):
        async def handler(uow):
            await uow.hold_lock(lock, shared=True)
            return await create(key, key)(uow)
        return handler

    for i, lock in enumerate((LOCK + 1, LOCK + 2, LOCK + 3)):
        assert (await store.execute("Create", {}, META, locked(f"b{i}", lock))).result == {"version": 1}
    assert ((LOCK + 3, True),) in store._locked_groups  # noqa: SLF001
    assert len(store._locked_groups) <= 2  # noqa: SLF001 — the idle ones dropped, not kept for ever
