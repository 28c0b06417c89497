"""Aggregates: state rebuilt from a stream, changed only by recording new events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from shared.eventstore.catalogue import DomainEvent, UnknownEvent
from shared.eventstore.errors import NotFound


class Aggregate:
    """Subclasses define ``stream_prefix`` and ``when_<EventClassName>`` methods (and ``noun``
    when they are looked up by a caller's id: ``require_exists``).

    ``version`` counts the events applied, so it is the expected version of the
    next append.
    """

    stream_prefix: ClassVar[str]
    # How "not found" names it: in Chinese; in English (the stream prefix unless set); and the
    # request field that names it (``<stream_prefix>_id`` unless set).
    noun: ClassVar[str]
    noun_en: ClassVar[str | None] = None
    key_field: ClassVar[str | None] = None
    # Events whose only effect on the state is a new ``status``: the status each one leaves, in
    # place of a ``when_`` method per event that would say just that.
    status_after: ClassVar[dict[type[DomainEvent], str]] = {}

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

    def require_exists(self, field: str | None = None) -> None:
        """404 unless its stream has events (or this command recorded its first)."""
        if not self.exists:
            raise NotFound(f"未找到{self.noun} {self.key} / {self.noun_en or self.stream_prefix} {self.key} not found",
                           field=field or self.key_field or f"{self.stream_prefix}_id")

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
        if type(event) in self.status_after:
            self.status = self.status_after[type(event)]
        handler = getattr(self, f"when_{type(event).__name__}", None)
        if handler is not None:
            handler(event)
