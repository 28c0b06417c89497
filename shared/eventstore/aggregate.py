"""Aggregates: state rebuilt from a stream, changed only by recording new events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from shared.eventstore.catalogue import DomainEvent, UnknownEvent


class Aggregate:
    """Subclasses define ``stream_prefix`` and ``when_<EventClassName>`` methods.

    ``version`` counts the events applied, so it is the expected version of the
    next append.
    """

    stream_prefix: ClassVar[str]

    def __init__(self, key: str):
        self.key = key
        self.version = 0
        self.pending: list[DomainEvent] = []

    @property
    def stream_id(self) -> str:
        return f"{self.stream_prefix}-{self.key}"

    @property
    def exists(self) -> bool:
        return self.version > 0 or bool(self.pending)

    @classmethod
    def rehydrate(cls, key: str, events: Iterable[DomainEvent | UnknownEvent]):
        aggregate = cls(key)
        for event in events:
            aggregate._apply(event)
            aggregate.version += 1
        return aggregate

    def record(self, event: DomainEvent) -> None:
        self._apply(event)
        self.pending.append(event)

    def _apply(self, event: DomainEvent | UnknownEvent) -> None:
        if isinstance(event, UnknownEvent):
            return
        handler = getattr(self, f"when_{type(event).__name__}", None)
        if handler is not None:
            handler(event)
