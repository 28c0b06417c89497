"""A unit of work in memory, for testing handlers without PostgreSQL (cosmicpython's
``FakeUnitOfWork``): streams are lists of decoded events, a save appends to them under
the same expected-version rule as the real store, and ``events`` lists what was recorded.

A handler reaches the service's own tables through ``uow.adapter(PgX)``; a test gives the
in-memory twin with ``provide`` (each service keeps its fakes in ``adapters/memory.py``),
and the PostgreSQL adapters keep their integration tests. A handler that still reaches for
``uow.conn``, or an adapter no fake was given for, is told it needs the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from shared.eventstore.aggregate import Aggregate
from shared.eventstore.catalogue import DomainEvent
from shared.eventstore.envelope import CommandMeta
from shared.eventstore.errors import Conflict

A = TypeVar("A", bound=Aggregate)
P = TypeVar("P")


class NeedsDatabase(AssertionError):
    """The handler under test touched ``uow.conn``: test it against PostgreSQL instead."""


class InMemoryUnitOfWork:
    def __init__(self, meta: CommandMeta | None = None):
        self.meta = meta or CommandMeta(actor="test")
        self.streams: dict[str, list[DomainEvent]] = {}
        self.events: list[DomainEvent] = []  # recorded by saves, in order
        self.adapters: dict[Callable[[Any], Any], Any] = {}

    @property
    def conn(self):
        raise NeedsDatabase("handler reads the service's tables: an integration test's job")

    def provide(self, make: Callable[[Any], P], fake: P) -> P:
        """The fake this unit of work answers ``adapter(make)`` with."""
        self.adapters[make] = fake
        return fake

    def adapter(self, make: Callable[[Any], P]) -> P:
        try:
            return self.adapters[make]
        except KeyError:
            raise NeedsDatabase(f"no in-memory {getattr(make, '__name__', make)} given: an integration test's job") from None

    def given(self, aggregate_cls: type[Aggregate], key: str, events: Iterable[DomainEvent]) -> None:
        """History the test starts from; not part of ``events``."""
        self.streams.setdefault(aggregate_cls(key).stream_id, []).extend(events)

    async def load(self, cls: type[A], key: str) -> A:
        return (await self.load_many(cls, [key]))[key]

    async def load_many(self, cls: type[A], keys: Sequence[str]) -> dict[str, A]:
        return {k: cls.rehydrate(k, self.streams.get(cls(k).stream_id, [])) for k in keys}

    async def new(self, cls: type[A], key: str) -> A:
        return await self.load(cls, key)

    async def save(self, aggregate: Aggregate) -> list[DomainEvent]:
        return await self.save_all([aggregate])

    async def save_all(self, aggregates: Sequence[Aggregate]) -> list[DomainEvent]:
        saved: list[DomainEvent] = []
        for aggregate in aggregates:
            stream = self.streams.setdefault(aggregate.stream_id, [])
            if len(stream) != aggregate.version:
                raise Conflict(f"{aggregate.stream_id} changed concurrently / 并发修改")
            pending, aggregate.pending = aggregate.pending, []
            stream.extend(pending)
            aggregate.version += len(pending)
            saved.extend(pending)
        self.events.extend(saved)
        return saved

    async def hold_lock(self, key: int, *, shared: bool = True) -> None:
        """One command at a time in memory: nothing to order."""
