"""``EventStore.execute`` in as few round trips as a handler allows: loads on their own, the
saves, the idempotency key and the locks in one final statement, a transaction only when
the handler touches ``uow.conn`` — and every guarantee of a transaction kept."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from shared.eventstore import CommandMeta, ConcurrencyError, DomainError, EventStore
from shared.eventstore.errors import Conflict
from shared.eventstore.store import owned_key
from tests.support.db import dispose, fresh_store_pool, sequence_until
from tests.support.events import Notebook

META = CommandMeta(actor="test:bob")
LOCK = 7_999_001


@pytest.fixture
async def store(settings):
    name, pool = await fresh_store_pool(settings, "cu")
    async with pool.acquire() as conn:
        await conn.execute("create table scratch (x int)")
    yield EventStore(pool, "test")
    await dispose(settings, name, pool)


async def texts(store: EventStore, stream: str) -> list[str]:
    return [e.payload["text"] for e in await store.read_stream(None, stream)]


def note(key: str, text: str, seen: dict | None = None):
    async def handler(uow):
        book = await uow.load(Notebook, key)
        book.note(text)
        await uow.save(book)
        if seen is not None:
            seen["in_transaction"] = uow.conn.is_in_transaction()
        return {"version": book.version}
    return handler


async def test_a_command_that_only_loads_and_saves_runs_without_a_transaction(store):
    seen = {}
    done = await store.execute("Note", {"t": "a"}, META, note("1", "a", seen), idempotency_key="k-a")
    assert seen == {"in_transaction": False} and done.result == {"version": 1}
    assert await texts(store, "notebook-1") == ["a"]
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select result from es.commands where idempotency_key = $1",
                                   owned_key(META.actor, "k-a")) == {"version": 1}


async def test_events_and_key_are_one_statement_a_retry_leaves_nothing_behind(store):
    """The handler writes to a new stream on every run: had the append gone out before the
    key collided, the retry would leave a second stream behind."""
    async def handler(uow):
        book = await uow.load(Notebook, str(uuid.uuid4()))
        book.note("x")
        await uow.save(book)
        return {"stream": book.stream_id}

    first = await store.execute("Note", {"t": "x"}, META, handler, idempotency_key="k-x")
    again = await store.execute("Note", {"t": "x"}, META, handler, idempotency_key="k-x")
    assert (first.replayed, again.replayed) == (False, True) and again.result == first.result
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from es.events") == 1


async def test_a_stream_changed_between_load_and_write_is_a_conflict_with_nothing_written(store):
    loaded, other_done = asyncio.Event(), asyncio.Event()

    async def slow(uow):
        book = await uow.load(Notebook, "2")
        loaded.set()
        await other_done.wait()
        book.note("late")
        await uow.save(book)
        return {}

    async def fast():
        await loaded.wait()
        await store.execute("Note", {"t": "fast"}, META, note("2", "fast"))
        other_done.set()

    results = await asyncio.gather(store.execute("Note", {"t": "late"}, META, slow, idempotency_key="k-late"),
                                   fast(), return_exceptions=True)
    assert isinstance(results[0], ConcurrencyError), results
    assert await texts(store, "notebook-2") == ["fast"]
    # The key was not recorded either: the retry runs, on the stream as it is now.
    retry = await store.execute("Note", {"t": "late"}, META, note("2", "late"), idempotency_key="k-late")
    assert not retry.replayed and retry.result == {"version": 2}


async def test_touching_the_connection_starts_a_transaction_that_reads_its_own_writes(store):
    async def handler(uow):
        book = await uow.load(Notebook, "3")
        book.note("one")
        await uow.save(book)
        written = await uow.conn.fetchval("select count(*) from es.events where stream_id = 'notebook-3'")
        again = await uow.load(Notebook, "3")
        await uow.conn.execute("insert into scratch values (1)")
        return {"written": written, "version": again.version, "tx": uow.conn.is_in_transaction()}

    done = await store.execute("Note", {}, META, handler)
    assert done.result == {"written": 1, "version": 1, "tx": True}
    assert await texts(store, "notebook-3") == ["one"]


async def test_a_failure_after_touching_the_connection_writes_nothing(store):
    async def handler(uow):
        book = await uow.load(Notebook, "4")
        book.note("never")
        await uow.save(book)
        await uow.conn.execute("insert into scratch values (1)")
        async with uow.conn.transaction():  # a savepoint in the command's transaction
            await uow.conn.execute("insert into scratch values (2)")
        raise DomainError("规则不符 / refused")

    with pytest.raises(DomainError):
        await store.execute("Note", {}, META, handler, idempotency_key="k-never")
    assert await texts(store, "notebook-4") == []
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from scratch") == 0
        assert await conn.fetchval("select count(*) from es.commands") == 0


async def test_a_lock_held_by_the_write_orders_it_after_an_exclusive_holder(store):
    async def handler(uow):
        await uow.hold_lock(LOCK, shared=True)
        book = await uow.load(Notebook, "5")
        book.note("after")
        await uow.save(book)
        return {"tx": uow.conn.is_in_transaction()}

    async with store.pool.acquire() as holder:
        await holder.execute("select pg_advisory_lock($1)", LOCK)
        command = asyncio.create_task(store.execute("Note", {}, META, handler))
        await wait_for_lock_waiter(store.pool, LOCK)
        assert await texts(store, "notebook-5") == []  # written only once the lock is held
        await holder.execute("select pg_advisory_unlock($1)", LOCK)
    assert (await command).result == {"tx": False}
    assert await texts(store, "notebook-5") == ["after"]


async def test_a_lock_is_taken_first_when_the_handler_goes_on_to_need_a_transaction(store):
    async def handler(uow):
        await uow.hold_lock(LOCK, shared=True)
        await uow.conn.execute("insert into scratch values (1)")
        return {}

    async with store.pool.acquire() as holder:
        await holder.execute("select pg_advisory_lock($1)", LOCK)
        command = asyncio.create_task(store.execute("Scratch", {}, META, handler))
        await wait_for_lock_waiter(store.pool, LOCK)
        await holder.execute("select pg_advisory_unlock($1)", LOCK)
    await command
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from scratch") == 1


async def test_commands_outside_transactions_are_sequenced_once_each_in_commit_order(store):
    async def writer(w: int) -> None:
        for i in range(10):
            await store.execute("Note", {"w": w, "i": i}, META, note(f"{w}-{i}", "x"), idempotency_key=f"{w}-{i}")

    await asyncio.gather(*(writer(w) for w in range(8)))
    assert await sequence_until(store.pool, 80) == 80
    log = await store.read_all(0, limit=1000)
    assert sorted(e.stream_id for e in log) == sorted(f"notebook-{w}-{i}" for w in range(8) for i in range(10))
    assert [e.global_position for e in log] == list(range(1, 81))


async def wait_for_lock_waiter(pool: asyncpg.Pool, key: int, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with pool.acquire() as conn:
        while loop.time() < deadline:
            if await conn.fetchval("select count(*) from pg_locks where locktype = 'advisory' and objid = $1 "
                                   "and not granted and database = (select oid from pg_database "
                                   "where datname = current_database())", key):
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"nobody waited for lock {key}")


def create(key: str, text: str):
    """A creation with the usual rules: an existing notebook is a conflict, checked first."""
    async def handler(uow):
        book = await uow.new(Notebook, key)
        if book.exists:
            raise Conflict("已存在 / exists", field="key")
        if not text:
            raise DomainError("不能为空 / empty", field="text")
        book.note(text)
        await uow.save(book)
        return {"version": book.version}
    return handler


@pytest.fixture
async def one_conn_store(settings):
    """A store whose pool has one connection, so a test can count its statements."""
    name, pool = await fresh_store_pool(settings, "cu1", max_size=1)
    statements: list[str] = []
    async with pool.acquire() as conn:
        conn.add_query_logger(lambda q: statements.append(q.query.split()[0].lower()))
    yield EventStore(pool, "test"), statements
    await dispose(settings, name, pool)


async def test_round_trips_a_creation_one_load_and_save_two_a_transaction_more(one_conn_store):
    store, statements = one_conn_store
    await store.execute("Create", {}, META, create("a", "x"), idempotency_key="c-a")
    assert statements == ["with"]  # the append and the key, nothing read
    statements.clear()
    await store.execute("Note", {}, META, note("a", "y"), idempotency_key="n-a")
    assert statements == ["select", "with"]

    async def with_own_table(uow):
        await uow.conn.execute("select 1")
        return await note("a", "z")(uow)

    statements.clear()
    await store.execute("Note", {}, META, with_own_table, idempotency_key="t-a")
    assert statements == ["begin;", "select", "select", "with", "commit;"]
    assert await texts(store, "notebook-a") == ["x", "y", "z"]


async def test_a_creation_of_an_existing_stream_is_answered_by_the_handlers_rules(store):
    await store.execute("Create", {}, META, create("b", "first"))
    with pytest.raises(Conflict, match="已存在"):
        await store.execute("Create", {}, META, create("b", "second"))
    # A guessed run failing for another reason is not the answer: the reading run's rule is.
    with pytest.raises(Conflict, match="已存在"):
        await store.execute("Create", {}, META, create("b", ""))
    assert await texts(store, "notebook-b") == ["first"]


async def test_a_retried_creation_is_replayed(store):
    first = await store.execute("Create", {"k": 1}, META, create("c", "once"), idempotency_key="c-c")
    again = await store.execute("Create", {"k": 1}, META, create("c", "once"), idempotency_key="c-c")
    assert (first.replayed, again.replayed) == (False, True) and again.result == first.result
    assert await texts(store, "notebook-c") == ["once"]


async def test_concurrent_creations_of_one_stream_have_one_winner(store):
    results = await asyncio.gather(*(store.execute("Create", {}, META, create("d", f"w{i}")) for i in range(10)),
                                   return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception)), results
    assert len(await texts(store, "notebook-d")) == 1


async def test_a_guess_nothing_checked_is_read_again(store):
    await store.execute("Create", {}, META, create("e", "there"))

    async def peek(uow):
        book = await uow.new(Notebook, "e")  # not saved: no append checks the guess
        return {"exists": book.exists}

    assert (await store.execute("Peek", {}, META, peek)).result == {"exists": True}


async def test_a_deadlock_victim_runs_again_and_both_commands_land_once(store):
    """Two commands taking two locks in opposite orders: PostgreSQL aborts one to break the
    deadlock; it is run again, so both succeed and each note is written once."""
    both_hold_one = asyncio.Barrier(2)

    def crossing(key: str, first: int, second: int):
        async def handler(uow):
            await uow.conn.execute("select pg_advisory_xact_lock($1)", first)
            if both_hold_one.n_waiting < 2 and not both_hold_one.broken:
                try:
                    await asyncio.wait_for(both_hold_one.wait(), timeout=2)
                except TimeoutError:  # the re-run: the other command already went through
                    pass
            await uow.conn.execute("select pg_advisory_xact_lock($1)", second)
            book = await uow.load(Notebook, key)
            book.note(f"{first}->{second}")
            await uow.save(book)
            return {}
        return handler

    await asyncio.gather(store.execute("Cross", {}, META, crossing("a", LOCK + 1, LOCK + 2)),
                         store.execute("Cross", {}, META, crossing("b", LOCK + 2, LOCK + 1)))
    assert await texts(store, "notebook-a") == [f"{LOCK + 1}->{LOCK + 2}"]
    assert await texts(store, "notebook-b") == [f"{LOCK + 2}->{LOCK + 1}"]
