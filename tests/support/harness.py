"""A service's event store and projections over a test database, fed the other services'
events as the next Kafka records of their topics: the integration harnesses' common part."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from shared.eventstore import EventStore, RecordedEvent
from shared.messaging.kafka import encode
from shared.projections import Delivery, ProjectionRunner
from tests.support.db import PoolReads


class ProjectionHarness(PoolReads):
    def __init__(self, pool, service: str, projections):
        self.pool = pool
        self.store = EventStore(pool, service)
        self.runners = {p.name: ProjectionRunner(pool, p, {s: f"{s}.events" for s in p.sources}) for p in projections}
        self.offsets: dict[str, int] = {}
        self.positions: dict[str, int] = {}

    def record(self, source: str, event_type: str, payload: dict, stream_id: str,
               occurred_at: datetime | None = None) -> tuple[RecordedEvent, Delivery]:
        """Another service's event as the next Kafka record of its topic, not yet applied."""
        position = self.positions[source] = self.positions.get(source, 0) + 1
        offset = self.offsets[source] = self.offsets.get(source, -1) + 1
        now = datetime.now(UTC)
        event = RecordedEvent(event_id=uuid4(), type=event_type, schema_version=1, source=source, stream_id=stream_id,
                              stream_version=1, global_position=position, occurred_at=occurred_at or now,
                              recorded_at=now, correlation_id=uuid4(), actor="test", payload=payload)
        return event, Delivery(f"{source}.events", 0, offset, encode(event), {})

    async def redeliver(self, delivery: Delivery) -> int:
        """Apply a record to every projection reading its topic; how many took it."""
        source = delivery.topic.removesuffix(".events")
        return sum([await runner.apply_batch([delivery]) for runner in self.runners.values()
                    if source in runner.projection.sources])
