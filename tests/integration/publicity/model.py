"""Feeds scenario steps straight into publicity's projections, as Kafka deliveries would."""

from __future__ import annotations

from collections import defaultdict
from uuid import uuid4

from shared.eventstore import RecordedEvent
from shared.messaging.kafka import encode
from shared.projections import Delivery, ProjectionRunner

from services.publicity.projections import PROJECTIONS


class Feeder:
    def __init__(self, pool):
        self.pool = pool
        self.positions: dict[str, int] = defaultdict(int)
        self.offsets: dict[str, int] = defaultdict(lambda: -1)
        self.recorded: list[RecordedEvent] = []
        self.runners = [ProjectionRunner(pool, p, {s: f"{s}.events" for s in p.sources}) for p in PROJECTIONS]

    async def feed(self, steps) -> list[RecordedEvent]:
        deliveries: dict[str, list[Delivery]] = defaultdict(list)
        batch = []
        for step in steps:
            self.positions[step.source] += 1
            self.offsets[step.source] += 1
            event = RecordedEvent(
                event_id=uuid4(), type=step.event.event_type, schema_version=step.event.version,
                source=step.source, stream_id=step.stream_id, stream_version=1,
                global_position=self.positions[step.source], occurred_at=step.occurred_at,
                recorded_at=step.occurred_at, correlation_id=uuid4(), actor="test",
                payload=step.event.model_dump(mode="json"),
            )
            batch.append(event)
            deliveries[step.source].append(
                Delivery(f"{step.source}.events", 0, self.offsets[step.source], encode(event), {}))
        for runner in self.runners:
            mine = [d for s in runner.projection.sources for d in deliveries.get(s, [])]
            if mine:
                await runner.apply_batch(mine)
        self.recorded.extend(batch)
        return batch
