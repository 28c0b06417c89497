"""Event metadata: what a command brings (``CommandMeta``) and what the store records."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from shared.eventstore.catalogue import CATALOGUE, DomainEvent, UnknownEvent


class CommandMeta(BaseModel):
    """Who asked, why, and within which conversation. Copied onto every event it causes."""

    model_config = ConfigDict(frozen=True)

    actor: str = "system"
    correlation_id: UUID = Field(default_factory=uuid4)
    causation_id: UUID | None = None
    # Business time when the command records something that happened earlier
    # (a payment made last week, a historic import); the store adds recorded_at.
    occurred_at: datetime | None = None
    # Why ``occurred_at`` lies beyond the back-dating window (shared/http/business_time.py);
    # the store records it with the command (es.backdated).
    backdate_reason: str | None = None
    traceparent: str | None = None


class RecordedEvent(BaseModel):
    """One stored event. ``global_position`` is set once the sequencer has ordered it."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    type: str
    schema_version: int
    source: str
    stream_id: str
    stream_version: int
    global_position: int | None = None
    occurred_at: datetime
    recorded_at: datetime
    correlation_id: UUID
    causation_id: UUID | None = None
    actor: str
    payload: dict[str, Any]
    chain_hash: str | None = None

    def decode(self) -> DomainEvent | UnknownEvent:
        """The contract model, upcast; decoded once per envelope, since the projections of a
        rebuild (and a projection's rows and rules) all read the same event. Kept outside the
        fields (equality and dumps ignore it); both are frozen, so sharing it is safe."""
        decoded = self.__dict__.get(_DECODED)
        if decoded is None:
            decoded = self.__dict__[_DECODED] = CATALOGUE.decode(self.type, self.schema_version, self.payload)
        return decoded


_DECODED = "_decoded"
