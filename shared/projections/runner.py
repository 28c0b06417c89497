"""Applies deliveries to a projection exactly once, and rebuilds it from offset zero.

For each (topic, partition) the runner stores, in the same transaction as the read-model
change, the offset it has reached and the highest global position it has applied:

- a record delivered again (crash, rebalance, broker outage) has an offset already reached;
- an event the relay published twice (killed after Kafka's ack, before its checkpoint)
  comes again under a new offset, but the relay publishes in position order, so within a
  partition its position is not above the highest one applied.

Both are skipped. Kafka consumer-group offsets only decide where reading resumes.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from opentelemetry.trace import SpanKind

from shared.db import MIGRATION_LOCK
from shared.messaging.kafka import decode
from shared.projections.projection import Delivery, Projection
from shared import tracing
from shared.tracing import context_from_headers, span


POSITIONS_SQL = """
create schema if not exists proj;
create table if not exists proj.positions (
    projection  text not null,
    topic       text not null,
    partition   integer not null,
    "offset"    bigint not null,
    position    bigint not null default 0,
    updated_at  timestamptz not null default clock_timestamp(),
    primary key (projection, topic, partition)
);
"""


class ProjectionRunner:
    def __init__(self, pool: asyncpg.Pool, projection: Projection, topics: dict[str, str]):
        """``topics`` maps each source service to its topic name."""
        self.pool = pool
        self.projection = projection
        self.topics = topics
        # One lock per projection: a rebuild holds it for its whole run, a batch per transaction.
        self.lock_key = zlib.crc32(f"projection:{projection.name}".encode())

    async def setup(self) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            # The same lock as migrations: an API and its worker start together, and DDL
            # from two transactions on one database can deadlock on the catalogue.
            await conn.execute("select pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute(POSITIONS_SQL)
            await conn.execute(self.projection.schema_sql)

    async def apply_batch(self, deliveries: Sequence[Delivery], conn: asyncpg.Connection | None = None) -> int:
        if conn is None:
            async with self.pool.acquire() as conn:
                return await self.apply_batch(deliveries, conn)
        name = self.projection.name
        applied, tracing_on = 0, tracing.enabled()
        async with conn.transaction():
            await conn.execute("select pg_advisory_xact_lock($1)", self.lock_key)
            reached = {
                (r["topic"], r["partition"]): (r["offset"], r["position"])
                for r in await conn.fetch(
                    'select topic, partition, "offset", position from proj.positions where projection = $1', name
                )
            }
            moved: dict[tuple[str, int], tuple[int, int]] = {}
            for d in deliveries:
                key = (d.topic, d.partition)
                offset, position = moved.get(key) or reached.get(key) or (-1, 0)
                if d.offset <= offset:
                    continue  # delivered before: its effect is already in the model
                event = decode(d.value)
                if (event.global_position or 0) <= position:
                    moved[key] = (d.offset, position)  # published twice: step over the copy
                    continue
                with span(
                    f"{name} apply", context=context_from_headers(d.headers) if tracing_on else None,
                    kind=SpanKind.CONSUMER,
                    attributes={"messaging.system": "kafka", "messaging.source.name": d.topic,
                                "messaging.kafka.offset": d.offset, "xingcun.event_type": event.type},
                ):
                    await self.projection.apply(conn, event)
                moved[key] = (d.offset, event.global_position or 0)
                applied += 1
            if moved:
                await conn.executemany(
                    """insert into proj.positions (projection, topic, partition, "offset", position)
                       values ($1, $2, $3, $4, $5)
                       on conflict (projection, topic, partition)
                       do update set "offset" = excluded."offset", position = excluded.position,
                                     updated_at = clock_timestamp()""",
                    [(name, t, p, o, pos) for (t, p), (o, pos) in moved.items()],
                )
        return applied

    async def positions(self) -> dict[tuple[str, int], int]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                'select topic, partition, "offset" from proj.positions where projection = $1',
                self.projection.name,
            )
        return {(r["topic"], r["partition"]): r["offset"] for r in rows}

    async def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every read-model table, sorted: two equal models give equal snapshots."""
        async with self.pool.acquire() as conn:
            return {
                table: sorted(tuple(r.values()) for r in await conn.fetch(f"select * from {table}"))
                for table in self.projection.tables
            }

    async def rebuild(
        self,
        bootstrap: str,
        *,
        batch_size: int = 2000,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Empty the model and replay every topic from offset zero to its end as of now.

        The live worker waits on the projection lock meanwhile, then resumes: records it
        already holds are at or below the rebuilt positions and are skipped.
        """
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
            isolation_level="read_committed", max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        await consumer.start()
        conn: asyncpg.Connection = await self.pool.acquire()
        try:
            await conn.execute("select pg_advisory_lock($1)", self.lock_key)
            async with conn.transaction():
                for table in self.projection.tables:
                    await conn.execute(f"truncate {table}")
                await conn.execute("delete from proj.positions where projection = $1", self.projection.name)
            partitions = [
                TopicPartition(topic, p)
                for topic in self.topics.values()
                for p in sorted(consumer.partitions_for_topic(topic) or await _partitions(consumer, topic))
            ]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            total = sum(ends.values())
            remaining = {tp for tp, end in ends.items() if end > 0}
            done = 0
            while remaining:
                batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=batch_size)
                deliveries = []
                for tp, records in batch.items():
                    for r in records:
                        if r.offset < ends[tp]:
                            deliveries.append(Delivery(tp.topic, tp.partition, r.offset, r.value, dict(r.headers or ())))
                        if r.offset >= ends[tp] - 1:
                            remaining.discard(tp)
                if deliveries:
                    await self.apply_batch(deliveries, conn)
                    done += len(deliveries)
                    if progress:
                        progress(done, total)
            return done
        finally:
            await conn.execute("select pg_advisory_unlock($1)", self.lock_key)
            await self.pool.release(conn)
            await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    # Metadata of a topic the consumer never subscribed to arrives after one refresh.
    for _ in range(50):
        await consumer._client.force_metadata_update()  # noqa: SLF001 — aiokafka has no public call
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return parts
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} has no partitions")
