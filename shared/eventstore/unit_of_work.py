"""Units of work: what a command handler gets to load aggregates and save what they recorded.

- ``UnitOfWork``: on a connection the caller holds, in the caller's transaction (a reactor's
  batch, a read-only query); a save writes at once.
- ``CommandUnit``: what ``EventStore.execute`` gives a handler. It costs as few round trips
  as the handler allows — see its docstring.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg

from shared.eventstore.aggregate import Aggregate
from shared.eventstore.catalogue import DomainEvent
from shared.eventstore.envelope import CommandMeta, RecordedEvent

if TYPE_CHECKING:
    from shared.eventstore.store import EventStore, Record

A = TypeVar("A", bound=Aggregate)
P = TypeVar("P")


def port(make: Callable[[Any], P]) -> Callable[[UnitOfWork], P]:
    """A handler's way to one adapter, declared once in the service's ``handlers/ports.py``:
    ``balances = port(PgBalances)``, then ``balances(uow).lock_line(...)`` — over the command's
    connection in a command, the twin a unit test gave (``InMemoryUnitOfWork.provide``)."""
    def reach(uow: UnitOfWork) -> P:
        return uow.adapter(make)
    return reach


async def register_new(uow: UnitOfWork, cls: type[A], key: str, cmd: Any) -> A:
    """A stream's first command, the same in every service: the new aggregate ``key`` registers
    ``cmd`` and is saved. ``new`` takes the stream to be empty; the aggregate's own rule refuses
    a key already taken (``CommandUnit`` re-runs the handler with a read when it was)."""
    aggregate = await uow.new(cls, key)
    aggregate.register(cmd)  # type: ignore[attr-defined]  # every registrable aggregate has one
    await uow.save(aggregate)
    return aggregate


def lock_statement(shared: bool) -> str:
    from shared.eventstore.store import lock_function  # store imports this module

    return f"select {lock_function(shared)}($1)"


class UnitOfWork:
    """One command's work on ``conn``, within the transaction the caller holds."""

    def __init__(self, conn: asyncpg.Connection, store: EventStore, meta: CommandMeta):
        self._conn = conn
        self.store = store
        self.meta = meta
        self._adapters: dict[Callable[[Any], Any], Any] = {}

    @property
    def conn(self) -> asyncpg.Connection:
        """The command's connection, for the service's own tables (constraint rows, balances)."""
        return self._conn

    def adapter(self, make: Callable[[Any], P]) -> P:
        """A service's adapter over this command's connection — its own tables, what it has
        heard from others — made once per unit of work: ``uow.adapter(PgBalances)``. Handlers
        reach their tables only so; ``InMemoryUnitOfWork`` answers with a test's fake."""
        made = self._adapters.get(make)
        if made is None:
            made = self._adapters[make] = make(self.conn)
        return made

    async def load(self, cls: type[A], key: str) -> A:
        return (await self.load_many(cls, [key]))[key]

    async def load_many(self, cls: type[A], keys: Sequence[str]) -> dict[str, A]:
        """Many aggregates of one kind in one read (keys without a stream come back empty)."""
        ids = {cls(k).stream_id: k for k in keys}
        stored = await self.store.load_streams(self._conn, list(ids))
        return {ids[s]: cls.rehydrate(ids[s], events) for s, events in stored.items()}

    async def new(self, cls: type[A], key: str) -> A:
        """An aggregate this command creates (a village it registers): its stream must not
        exist yet, and the handler's rules answer if it does. Here a plain load; a
        ``CommandUnit`` skips the read and lets the append check it (see there)."""
        return await self.load(cls, key)

    async def save(self, aggregate: Aggregate) -> list[RecordedEvent]:
        return await self.save_all([aggregate])

    async def save_all(self, aggregates: Sequence[Aggregate]) -> list[RecordedEvent]:
        """Save many aggregates with one batched append (see ``EventStore.append_many``)."""
        return await self._append(_take_pending(aggregates))

    async def _append(self, appends: list[tuple[str, int, list[DomainEvent]]]) -> list[RecordedEvent]:
        return await self.store.append_many(self._conn, appends, self.meta, verify_head=False)

    async def hold_lock(self, key: int, *, shared: bool = True) -> None:
        """Hold the advisory lock ``key`` until the command commits, to order its writes
        against other commands that take it (a screening run takes the register's lock
        exclusively, registrations take it shared).

        Taking it on ``uow.conn`` instead also covers every read after it. A command whose
        decision rests only on the streams it saves — which the append's version check
        guards — needs it only for its write, and ``CommandUnit`` takes it there."""
        await self._conn.execute(lock_statement(shared), key)


def _take_pending(aggregates: Sequence[Aggregate]) -> list[tuple[str, int, list[DomainEvent]]]:
    """Each aggregate's pending events as an append ``(stream, expected version, events)``;
    the aggregate moves on to the version the append gives it."""
    appends = []
    for aggregate in aggregates:
        pending, aggregate.pending = aggregate.pending, []
        appends.append((aggregate.stream_id, aggregate.version, pending))
        aggregate.version += len(pending)
    return appends


class CommandUnit(UnitOfWork):
    """A command run by ``EventStore.execute``, in as few round trips as the handler allows.

    Loads run as statements of their own and saves are held back: when the handler has
    returned, ONE statement appends every event and records the idempotency key with the
    result (and takes the advisory locks of ``hold_lock``). One statement is atomic, and
    the unique (stream_id, stream_version) key fails it — ConcurrencyError, nothing
    written — if any saved stream moved on since its load: the same check a transaction
    gives under READ COMMITTED, where every statement reads a snapshot of its own anyway.
    A command that only loads and saves therefore costs two round trips, not five
    (BEGIN, load, append, key, COMMIT).

    ``new`` (an aggregate the command creates) reads nothing: it takes the stream to be
    empty, which the append of its first event at version 1 checks in the same statement.
    Only a run that committed stands on that guess: if the stream existed (the append
    collides), or the run failed in any other way a reading run might answer differently,
    or the aggregate was not saved (nothing checked the guess), ``EventStore.execute`` runs
    the handler again with ``new`` reading the stream — and the handler's own rules answer
    (for instance "already registered"). A creation thus costs ONE round trip.

    A handler that touches ``uow.conn`` (its own tables, locks, reads of the log) gets a
    transaction before that first statement: BEGIN, the locks of ``hold_lock``, the saves
    held so far; from then on everything runs in it, the final statement included, until
    COMMIT. A load after a save starts it too, so a handler always reads its own writes.
    Either way the sequencer's reasoning holds: an appending statement, in a transaction
    or on its own, has its own transaction id, and its rows are read only once every
    older transaction has ended.
    """

    def __init__(self, conn: asyncpg.Connection, store: EventStore, meta: CommandMeta,
                 scope: contextlib.AsyncExitStack, *, guess_new: bool = True):
        super().__init__(conn, store, meta)
        self._guess_new = guess_new
        self.guessed: list[Aggregate] = []  # taken as new without a read
        self._scope = scope  # the command's: leaving it commits or rolls back the transaction
        self._in_transaction = False
        self._held: list[tuple[str, int, list[DomainEvent]]] = []
        self._locks: list[tuple[int, bool]] = []

    @property
    def conn(self) -> asyncpg.Connection:
        return _OpensTransaction(self._conn, self)  # type: ignore[return-value]  # quacks like a connection

    async def transaction(self) -> None:
        """Start the command's transaction now (idempotent), with what was held back."""
        if not self._in_transaction:
            await self._scope.enter_async_context(self._conn.transaction())
            self._in_transaction = True
            for key, shared in self._locks:
                await self._conn.execute(lock_statement(shared), key)
            self._locks = []
        if self._held:
            held, self._held = self._held, []
            await super()._append(held)

    async def load_many(self, cls: type[A], keys: Sequence[str]) -> dict[str, A]:
        if self._held:
            await self.transaction()
        return await super().load_many(cls, keys)

    async def new(self, cls: type[A], key: str) -> A:
        if not self._guess_new:
            return await self.load(cls, key)
        aggregate = cls(key)
        self.guessed.append(aggregate)
        return aggregate

    async def _append(self, appends: list[tuple[str, int, list[DomainEvent]]]) -> list[RecordedEvent]:
        self._held.extend(a for a in appends if a[2])
        return []  # written by the final statement, which hands back no RecordedEvent

    async def hold_lock(self, key: int, *, shared: bool = True) -> None:
        if self._in_transaction:
            await super().hold_lock(key, shared=shared)
        else:
            self._locks.append((key, shared))

    async def finish(self, record: Record | None) -> None:
        """The final statement: the held saves, the idempotency record, the locks."""
        if any(a.version == 0 for a in self.guessed):
            raise UncheckedGuess()
        if self._held or record is not None:
            held, self._held = self._held, []
            locks, self._locks = self._locks, []
            if self._in_transaction:
                await self.store.append_many(self._conn, held, self.meta, verify_head=False, record=record,
                                             locks=locks, recorded=False)
            else:  # one statement of its own: it may share it with commands finishing beside it
                await self.store.write_command(self._conn, held, self.meta, record, locks)


class UncheckedGuess(Exception):
    """An aggregate taken as new was not saved, so no append checked that it was."""


class _OpensTransaction:
    """``uow.conn`` of a ``CommandUnit``: the connection itself, except that each query
    method first starts the command's transaction (asyncpg's query methods are coroutines,
    so the BEGIN can go out just before the first statement)."""

    __slots__ = ("_conn", "_unit")

    def __init__(self, conn: asyncpg.Connection, unit: CommandUnit):
        self._conn = conn
        self._unit = unit

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._conn, name)
        # Asked of the class: a pool's connection proxy wraps each method in a plain function.
        if not inspect.iscoroutinefunction(getattr(asyncpg.Connection, name, None)):
            return attr

        async def in_transaction(*args: Any, **kwargs: Any) -> Any:
            await self._unit.transaction()
            return await attr(*args, **kwargs)

        return in_transaction

    def transaction(self, **kwargs: Any) -> Any:
        """A savepoint inside the command's transaction, never a transaction of its own."""
        return _Savepoint(self._unit, kwargs)


class _Savepoint:
    """asyncpg's nested transaction, begun only once the command's transaction is: as a
    context manager, or by hand with ``start``, ``commit`` and ``rollback``."""

    def __init__(self, unit: CommandUnit, kwargs: dict[str, Any]):
        self._unit, self._kwargs, self._inner = unit, kwargs, None

    async def start(self) -> None:
        await self._unit.transaction()
        self._inner = self._unit._conn.transaction(**self._kwargs)
        await self._inner.start()

    async def commit(self) -> None:
        await self._inner.commit()

    async def rollback(self) -> None:
        await self._inner.rollback()

    async def __aenter__(self) -> None:
        await self.start()

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._inner.__aexit__(*exc)
