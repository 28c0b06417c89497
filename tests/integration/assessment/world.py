"""A small world for the assessment service against the real PostgreSQL: its event store,
its two projections, registry's and funding's events delivered as Kafka would deliver
them, and its own events sequenced and delivered back to its facts projection."""

from __future__ import annotations

from collections import defaultdict
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from uuid import uuid4

from shared.eventstore import CommandMeta, DomainEvent, EventStore, RecordedEvent
from shared.http.auth import Principal, Role
from shared.messaging.kafka import encode
from shared.projections import Delivery, ProjectionRunner
from shared.projections.directory import VillageDirectory
from tests.support.db import dispose, fresh_store_pool, sequence_until

from services.assessment.adapters.schema import CHAIN
from shared.dates import BEIJING
from services.assessment.projections.facts import AssessmentFacts

CITY = Principal(subject="office", role=Role.city_office)


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=BEIJING)


class World:
    def __init__(self, pool):
        self.pool = pool
        self.store = EventStore(pool, "assessment")
        topics = {s: f"{s}.events" for s in ("assessment", "registry", "funding")}
        self.runners = [ProjectionRunner(pool, VillageDirectory(), topics),
                        ProjectionRunner(pool, AssessmentFacts(), topics)]
        self.positions: dict[str, int] = defaultdict(int)
        self.offsets: dict[tuple[str, int], int] = defaultdict(int)
        self.own_fed = 0
        self.delivered: list[tuple[RecordedEvent, int]] = []

    async def setup(self) -> World:
        return self

    async def deliver(self, event: RecordedEvent, partition: int = 0) -> None:
        topic = f"{event.source}.events"
        offset = self.offsets[(topic, partition)]
        self.offsets[(topic, partition)] += 1
        self.delivered.append((event, partition))
        for runner in self.runners:
            await runner.apply_batch([Delivery(topic, partition, offset, encode(event), {})])

    async def rebuild_facts(self, sources_first: tuple[str, ...], *, empty: bool = True) -> None:
        """Empty the facts and replay every delivery, topic by topic in the given order (a
        different interleaving than the live one, as a rebuild from Kafka may have). Only
        the sources named are replayed: a rebuild caught half-way; ``empty=False`` goes on
        with the others."""
        runner = self.runners[1]
        if empty:
            async with self.pool.acquire() as conn:
                for table in runner.projection.tables:
                    await conn.execute(f"truncate {table}")
                await conn.execute("delete from proj.positions where projection = $1", runner.projection.name)
        offsets: dict[tuple[str, int], int] = defaultdict(int)
        for source in sources_first:
            for event, partition in self.delivered:
                if event.source == source:
                    topic = f"{source}.events"
                    await runner.apply_batch([Delivery(topic, partition, offsets[(topic, partition)], encode(event), {})])
                    offsets[(topic, partition)] += 1

    def foreign_event(self, source: str, event: DomainEvent, day: date, stream_id: str | None = None) -> RecordedEvent:
        self.positions[source] += 1
        now = datetime.now(UTC)
        return RecordedEvent(
            event_id=uuid4(), type=event.event_type, schema_version=event.version, source=source,
            stream_id=stream_id or f"{event.event_type}-{self.positions[source]}", stream_version=1,
            global_position=self.positions[source], occurred_at=at(day), recorded_at=now,
            correlation_id=uuid4(), actor="test", payload=event.model_dump(mode="json"))

    async def foreign(self, source: str, event: DomainEvent, day: date, partition: int = 0) -> RecordedEvent:
        recorded = self.foreign_event(source, event, day)
        await self.deliver(recorded, partition)
        return recorded

    async def command(self, handler, *, principal: Principal = CITY, day: date | None = None, key: str | None = None,
                      name: str = "Test", body: dict | None = None) -> dict:
        meta = CommandMeta(actor=principal.actor, occurred_at=at(day) if day else None)
        done = await self.store.execute(name, body or {"n": str(uuid4())}, meta, handler, key)
        return done.result

    async def sync(self) -> None:
        """Sequence the service's own events and deliver the new ones to its projections."""
        async with self.pool.acquire() as conn:
            committed = await conn.fetchval("select count(*) from es.events")
        await sequence_until(self.pool, committed)
        for event in await self.store.read_all(self.own_fed, limit=100_000):
            await self.deliver(event)
            self.own_fed = event.global_position


@asynccontextmanager
async def fresh_world(settings, label: str, *build):
    """A world in a database of its own, built by ``build`` (each ``async (world) -> None``)."""
    name, pool = await fresh_store_pool(settings, label, chain=CHAIN)
    try:
        world = await World(pool).setup()
        for step in build:
            await step(world)
        yield world
    finally:
        await dispose(settings, name, pool)
