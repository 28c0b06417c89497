"""What a projection is: a name, the topics it reads, its tables and how an event changes them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import asyncpg

from shared.eventstore.catalogue import DomainEvent, UnknownEvent
from shared.eventstore.envelope import RecordedEvent

WHEN = "when_"
E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True)
class Delivery:
    """One Kafka record as a projection receives it."""

    topic: str
    partition: int
    offset: int
    value: bytes
    headers: dict[str, bytes]


class Projection:
    """Subclasses set the class attributes and write one ``when_<EventType>`` per event
    they follow, the way aggregates do::

        async def when_TeamUnassigned(self, conn, event: TeamUnassigned, recorded: RecordedEvent) -> None:

    ``event`` is the decoded contract model, upcast to the current version, so a
    projection never reads an old payload's shape; ``recorded`` carries the envelope
    (position, dates, actor). ``handles`` is the set of those event types.

    ``apply`` runs inside the batch's transaction; it must only touch ``tables``.
    It must not read the clock or anything but the event and the tables, so that a
    rebuild from offset zero comes out the same as the live model.

    ``apply_batch`` is what the runner calls, with the events of one delivery batch that
    are new (duplicates already removed), in delivery order. A projection that can apply
    many events with a few set-based statements overrides it; the result must equal
    applying them one by one.
    """

    name: ClassVar[str]
    sources: ClassVar[tuple[str, ...]]  # services whose <service>.events topics it reads
    # Schema-qualified read-model tables: created by the service's migrations, emptied by a rebuild.
    tables: ClassVar[tuple[str, ...]]
    # The event types ``apply`` changes anything for; None: any. A batch with none of them
    # only moves the projection's offsets, in one statement instead of a transaction.
    handles: ClassVar[frozenset[str] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        whens = frozenset(name.removeprefix(WHEN) for name in dir(cls) if name.startswith(WHEN))
        if whens and "handles" not in cls.__dict__:
            cls.handles = whens

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        when: Callable[..., Awaitable[None]] | None = getattr(self, WHEN + event.type, None)
        if when is None:
            return
        decoded = event.decode()
        if isinstance(decoded, UnknownEvent):  # a version this code does not know: said by the catalogue test
            return
        await when(conn, decoded, event)

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            await self.apply(conn, event)


def runs_of(kind: type[E], events: Sequence[RecordedEvent]
            ) -> Iterator[tuple[list[RecordedEvent], list[E] | None]]:
    """The batch in order, each event alone but for consecutive events of ``kind``, which come
    as one run with their decoded events beside them (None beside an event alone): what a
    projection can write with one statement where it would write one per event (presence
    check-ins arrive by the hundred, a cadre's month in one upload). A run's decoded events
    are those that decode as ``kind``; fewer than the run's events when one does not."""
    run: list[RecordedEvent] = []
    for event in events:
        if event.type == kind.event_type:
            run.append(event)
            continue
        if run:
            yield run, _decoded(kind, run)
            run = []
        yield [event], None
    if run:
        yield run, _decoded(kind, run)


def _decoded(kind: type[E], run: list[RecordedEvent]) -> list[E]:
    return [e for e in (r.decode() for r in run) if isinstance(e, kind)]
