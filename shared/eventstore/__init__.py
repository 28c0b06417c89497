"""The event store: the one vocabulary every service shares.

- ``DomainEvent``: an immutable fact, a pydantic model registered by type name and version.
- ``RecordedEvent``: a domain event as stored — with its stream, versions, positions and metadata.
- ``Aggregate``: a consistency boundary rebuilt from its stream.
- ``EventStore``: appends with optimistic concurrency, reads streams and the whole log.
"""

from shared.eventstore.aggregate import Aggregate
from shared.eventstore.catalogue import CATALOGUE, DomainEvent, UnknownEvent, upcaster
from shared.eventstore.errors import (
    ConcurrencyError,
    DomainError,
    IdempotencyKeyReused,
    NotFound,
)
from shared.eventstore.envelope import CommandMeta, RecordedEvent
from shared.eventstore.store import EventStore, UnitOfWork

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
