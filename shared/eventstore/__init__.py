"""The event store: the one vocabulary every service shares.

- ``DomainEvent``: an immutable fact, a pydantic model registered by type name and version.
- ``RecordedEvent``: a domain event as stored — with its stream, versions, positions and metadata.
- ``Aggregate``: a consistency boundary rebuilt from its stream.
- ``EventStore``: appends with optimistic concurrency, reads streams and the whole log.

The pure vocabulary is imported eagerly; the PostgreSQL store (asyncpg, OpenTelemetry) only
when first named, so that a domain module importing ``Aggregate`` loads no IO library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.eventstore.aggregate import Aggregate
from shared.eventstore.catalogue import CATALOGUE, DomainEvent, UnknownEvent, upcaster
from shared.eventstore.errors import (
    ConcurrencyError,
    DomainError,
    IdempotencyKeyReused,
    NotFound,
)
from shared.eventstore.envelope import CommandMeta, RecordedEvent

if TYPE_CHECKING:
    from shared.eventstore.store import EventStore, UnitOfWork

_ADAPTERS = {"EventStore", "UnitOfWork"}


def __getattr__(name: str):
    if name in _ADAPTERS:
        from shared.eventstore import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Aggregate",
    "CATALOGUE",
    "CommandMeta",
    "ConcurrencyError",
    "DomainError",
    "DomainEvent",
    "EventStore",
    "IdempotencyKeyReused",
    "NotFound",
    "RecordedEvent",
    "UnitOfWork",
    "UnknownEvent",
    "upcaster",
]
