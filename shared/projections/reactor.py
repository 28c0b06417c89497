"""Reactors: projections that answer another service's event with this service's own command.

The reaction's events are appended on the batch's connection, in the same transaction
that records the delivery's position — so a redelivered event never reacts twice, and
a crash between the two cannot happen. Example: funding releases a tranche when
assessment verifies a milestone.
"""

from __future__ import annotations

from typing import ClassVar

import asyncpg

from shared.eventstore import CommandMeta, EventStore, RecordedEvent, UnitOfWork
from shared.projections.projection import Projection
from shared.tracing import current_traceparent


class Reactor(Projection):
    service: ClassVar[str]  # whose event store the reactions are appended to

    def unit_of_work(self, conn: asyncpg.Connection, cause: RecordedEvent) -> UnitOfWork:
        meta = CommandMeta(
            actor=f"reactor:{self.name}",
            correlation_id=cause.correlation_id,
            causation_id=cause.event_id,
            occurred_at=cause.occurred_at,
            traceparent=current_traceparent(),
        )
        return UnitOfWork(conn, EventStore(pool=None, source=self.service), meta)  # type: ignore[arg-type]
