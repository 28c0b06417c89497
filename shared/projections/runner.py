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
import gc
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from shared import tracing
from shared.eventstore.envelope import RecordedEvent
from shared.config import Settings
from shared.messaging.credentials import client_options
from shared.messaging.kafka import decode
from shared.projections.projection import Delivery, Projection
from shared.tracing import context_from_headers



# The offsets and positions a projection has reached, under its lock (on its own: a batch it
# passes over), never moving back (ON CONFLICT sees the latest committed row, whatever the snapshot).
NOTE_POSITIONS_SQL = """
with locked as (select pg_advisory_xact_lock($2))
insert into proj.positions (projection, topic, partition, "offset", position)
select $1, u.topic, u.partition, u.off, u.pos
from locked, unnest($3::text[], $4::int[], $5::bigint[], $6::bigint[]) as u(topic, partition, off, pos)
on conflict (projection, topic, partition) do update
    set "offset" = greatest(proj.positions."offset", excluded."offset"),
        position = greatest(proj.positions.position, excluded.position),
        updated_at = clock_timestamp()
"""


Reach = dict[tuple[str, int], tuple[int, int]]  # (topic, partition) -> (offset, position)


def _reach(deliveries: Sequence[Delivery], events: Sequence[RecordedEvent]) -> Reach:
    """Per (topic, partition), the highest offset and the highest position among the records."""
    reach: Reach = {}
    topic, partition, offset, position = None, None, -1, 0  # along a run of one partition's records
    for d, event in zip(deliveries, events, strict=True):
        if d.partition != partition or d.topic != topic:
            if topic is not None:
                reach[(topic, partition)] = (offset, position)
            topic, partition = d.topic, d.partition
            offset, position = reach.get((topic, partition), (-1, 0))
        offset, position = max(offset, d.offset), max(position, event.global_position or 0)
    if topic is not None:
        reach[(topic, partition)] = (offset, position)
    return reach


def _columns(reach: Reach) -> tuple[list[str], list[int], list[int], list[int]]:
    """``reach`` as the four arrays the statements unnest: topics, partitions, offsets, positions."""
    return ([t for t, _ in reach], [p for _, p in reach], [o for o, _ in reach.values()],
            [p for _, p in reach.values()])


class QuarantineError(RuntimeError):
    """A quarantined record that is not there, or no longer held."""


def _decoded_or_none(value: bytes) -> RecordedEvent | None:
    try:
        return decode(value)
    except Exception:  # noqa: BLE001 - a record that does not even decode is held as it came
        return None


async def quarantined(conn: asyncpg.Connection, *, status: str | None = "held") -> list[asyncpg.Record]:
    """Held (or, with ``status=None``, all) quarantined records of a service's projections."""
    return await conn.fetch(
        """select id, projection, topic, partition, "offset", position, event_id, event_type, stream_id, error,
                  attempts, status, quarantined_at, resolved_at, resolved_by
           from proj.quarantine where $1::text is null or status = $1 order by id""", status)


async def quarantine_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Records held per projection (for /metrics)."""
    return dict(await conn.fetch(
        "select projection, count(*) from proj.quarantine where status = 'held' group by projection"))


class ProjectionRunner:
    def __init__(self, pool: asyncpg.Pool, projection: Projection, topics: dict[str, str]):
        """``topics`` maps each source service to its topic name."""
        self.pool = pool
        self.projection = projection
        self.topics = topics
        # One lock per projection: a rebuild holds it for its whole run, a batch per transaction.
        self.lock_key = zlib.crc32(f"projection:{projection.name}".encode())

    async def apply_batch(self, deliveries: Sequence[Delivery]) -> int:
        async with self.pool.acquire() as conn:
            return await self.apply_decoded(conn, deliveries)

    async def apply_decoded(
        self,
        conn: asyncpg.Connection,
        deliveries: Sequence[Delivery],
        events: Sequence[RecordedEvent] | None = None,
    ) -> int:
        """Apply the new deliveries in one transaction, with one ``Projection.apply_batch``.

        ``events``, when given, are the deliveries already decoded.
        """
        name, handles = self.projection.name, self.projection.handles
        if handles is not None and deliveries:
            events = events if events is not None else [decode(d.value) for d in deliveries]
            if not any(event.type in handles for event in events):
                await self._pass_over(conn, deliveries, events)
                return 0
        events = events if events is not None else [decode(d.value) for d in deliveries]
        # What the batch reaches, noted with the claim: the offsets and positions the loop
        # below would move to are the batch's highest where above those noted (the records of
        # a partition come in offset order, and one delivered before has a position at most the
        # one noted), and the function keeps the greater of the two.
        ends = _reach(deliveries, events)
        async with conn.transaction():
            reached = {
                (r["topic"], r["partition"]): (r["offset"], r["position"])
                for r in await conn.fetch("select * from proj.claim_noting($1, $2, $3, $4, $5, $6)", name,
                                          self.lock_key, *_columns(ends))
            }
            fresh: list[tuple[Delivery, RecordedEvent]] = []
            # A batch comes as runs of one partition's records: the partition's offset and position
            # are held in locals along a run and kept in ``reached`` where it ends (a rebuild's
            # hundreds of thousands of records pay no lookup each).
            topic, partition, offset, position = None, None, -1, 0
            for d, event in zip(deliveries, events, strict=True):
                if d.partition != partition or d.topic != topic:
                    if topic is not None:
                        reached[(topic, partition)] = (offset, position)
                    topic, partition = d.topic, d.partition
                    offset, position = reached.get((topic, partition)) or (-1, 0)
                if d.offset <= offset:
                    continue  # delivered before: its effect is already in the model
                offset = d.offset
                if (event.global_position or 0) <= position:
                    continue  # published twice: step over the copy
                position = event.global_position or 0
                fresh.append((d, event))
            if fresh:
                with _apply_spans(name, fresh):
                    await self.projection.apply_batch(conn, [event for _, event in fresh])
        return len(fresh)

    async def _pass_over(self, conn: asyncpg.Connection, deliveries: Sequence[Delivery],
                         events: Sequence[RecordedEvent]) -> None:
        await self._note_positions(conn, _reach(deliveries, events))

    async def _note_positions(self, conn: asyncpg.Connection, reached: dict[tuple[str, int], tuple[int, int]]) -> None:
        """Per (topic, partition), the offset and position reached; inside a batch's transaction
        the lock it takes is already held."""
        await conn.execute(NOTE_POSITIONS_SQL, self.projection.name, self.lock_key, *_columns(reached))

    async def apply_fresh(self, conn: asyncpg.Connection, batch: Fresh) -> int:
        """Apply a rebuild's batch, its copies already stepped over by the reading (``Fresh``),
        in one transaction committed without waiting for the WAL flush (the rebuild ends
        with a flushed commit)."""
        handles = self.projection.handles
        if handles is not None and not any(event.type in handles for event in batch.events):
            await self._note_positions(conn, batch.reach)
            return 0
        async with conn.transaction():
            await conn.execute("set local synchronous_commit = off")
            await self._note_positions(conn, batch.reach)
            if batch.events:
                with _apply_spans(self.projection.name, list(zip(batch.deliveries, batch.events))):
                    await self.projection.apply_batch(conn, batch.events)
        return len(batch.events)

    async def reachable(self) -> bool:
        """Does the database answer? A batch that fails while it does fails by itself."""
        try:
            async with self.pool.acquire(timeout=2.0) as conn:
                await conn.fetchval("select 1", timeout=2.0)
            return True
        except Exception:  # noqa: BLE001 - any failure means "away"
            return False

    async def quarantine(self, delivery: Delivery, error: BaseException, attempts: int) -> bool:
        """Hold ``delivery`` with its error and move the projection past it, in one transaction.
        Returns False when it had been applied (or held) meanwhile."""
        name = self.projection.name
        event = _decoded_or_none(delivery.value)
        async with self.pool.acquire() as conn, conn.transaction():
            reached = {(r["topic"], r["partition"]): r["offset"]
                       for r in await conn.fetch("select * from proj.claim($1, $2)", name, self.lock_key)}
            if delivery.offset <= reached.get((delivery.topic, delivery.partition), -1):
                return False
            held = await conn.fetchval(
                """insert into proj.quarantine (projection, topic, partition, "offset", position, event_id,
                                                event_type, stream_id, record, error, attempts)
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                   on conflict (projection, topic, partition, "offset") do nothing returning id""",
                name, delivery.topic, delivery.partition, delivery.offset,
                event.global_position if event else None, event.event_id if event else None,
                event.type if event else None, event.stream_id if event else None,
                delivery.value, f"{type(error).__name__}: {error}"[:4000], attempts)
            position = (event.global_position or 0) if event else 0
            await self._note_positions(conn, {(delivery.topic, delivery.partition): (delivery.offset, position)})
        return held is not None

    async def retry_quarantined(self, held_id: int, by: str) -> None:
        """Apply a held record now (after the fix), and mark it retried in the same transaction:
        a reactor's reaction is appended once, however often the retry is asked for."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select pg_advisory_xact_lock($1)", self.lock_key)
            row = await self._held(conn, held_id)
            event = decode(bytes(row["record"]))
            await self.projection.apply_batch(conn, [event])
            await conn.execute("""update proj.quarantine set status = 'retried', resolved_at = clock_timestamp(),
                                  resolved_by = $2 where id = $1""", held_id, by)

    async def skip_quarantined(self, held_id: int, by: str) -> None:
        """Give up on a held record for good (kept, marked skipped, with who decided)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await self._held(conn, held_id)
            await conn.execute("""update proj.quarantine set status = 'skipped', resolved_at = clock_timestamp(),
                                  resolved_by = $2 where id = $1""", held_id, by)

    async def _held(self, conn: asyncpg.Connection, held_id: int) -> asyncpg.Record:
        row = await conn.fetchrow(
            "select * from proj.quarantine where id = $1 and projection = $2 for update", held_id, self.projection.name)
        if row is None:
            raise QuarantineError(f"隔离记录 {held_id} 不属于 {self.projection.name} / no held record {held_id} "
                                  f"of projection {self.projection.name}")
        if row["status"] != "held":
            raise QuarantineError(f"隔离记录 {held_id} 已处理（{row['status']}）/ held record {held_id} was already "
                                  f"{row['status']} by {row['resolved_by']}")
        return row

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
                table: sorted_rows(tuple(r.values()) for r in await conn.fetch(f"select * from {table}"))
                for table in self.projection.tables
            }

    async def rebuild(
        self,
        kafka: Settings,
        *,
        batch_size: int = 5000,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Empty the model and replay every topic from offset zero to its end as of now.

        The live worker waits on the projection lock meanwhile, then resumes: records it
        already holds are at or below the rebuilt positions and are skipped.
        """
        done = await rebuild_together([self], kafka, batch_size=batch_size, progress=progress)
        return done[self.projection.name]


async def rebuild_together(
    runners: Sequence[ProjectionRunner],
    kafka: Settings,
    *,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild several projections in one pass over the union of their topics.

    Each record is fetched and decoded once for all of them. Each projection applies the
    batches in a task and on a connection of its own (the pools need one per runner), up
    to ``AHEAD`` batches behind the reading: PostgreSQL works on the projections side by
    side while the next batches are fetched and decoded, and the slowest projection sets
    the pace. Returns, per projection, the records it went through.
    """
    runners = sorted(runners, key=lambda r: r.lock_key)  # one lock order: two rebuilds never deadlock
    consumer = AIOKafkaConsumer(
        **client_options(kafka), enable_auto_commit=False, auto_offset_reset="earliest",
        isolation_level="read_committed", max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    conns: list[asyncpg.Connection] = []
    try:
        for runner in runners:
            conns.append(await runner.pool.acquire())
            await _empty(runner, conns[-1])
        done = dict.fromkeys((r.projection.name for r in runners), 0)
        queues: list[asyncio.Queue] = [asyncio.Queue(maxsize=AHEAD) for _ in runners]
        with _without_cycle_collector():
            try:
                # A failing projection cancels the reading and the others: nothing waits on it.
                async with asyncio.TaskGroup() as group:
                    for runner, conn, queue in zip(runners, conns, queues, strict=True):
                        group.create_task(_apply_queued(runner, conn, queue, done))
                    async for by_topic, read, total in _read_to_end(consumer, runners, batch_size):
                        for runner, queue in zip(runners, queues, strict=True):
                            mine = [by_topic[t] for t in runner.topics.values() if t in by_topic]
                            if mine:
                                await queue.put(mine[0] if len(mine) == 1 else Fresh.joined(mine))
                        if progress:
                            progress(read, total)
                    for queue in queues:
                        await queue.put(None)
            except ExceptionGroup as failed:
                raise failed.exceptions[0] from failed
        for conn in conns:
            await _flushed_commit(conn)
        return done
    finally:
        for runner, conn in zip(runners, conns):
            await conn.execute("select pg_advisory_unlock($1)", runner.lock_key)
            await runner.pool.release(conn)
        await consumer.stop()


AHEAD = 2  # batches a projection may fall behind the reading
# Records decoded between two turns of the event loop: a batch's thousands decoded at once
# would keep each projection's next statement, and so its PostgreSQL backend, waiting.
SLICE = 500


async def _apply_queued(
    runner: ProjectionRunner, conn: asyncpg.Connection, queue: asyncio.Queue, done: dict[str, int],
) -> None:
    """Apply each queued batch until the end (None)."""
    while (batch := await queue.get()) is not None:
        await runner.apply_fresh(conn, batch)
        done[runner.projection.name] += batch.read


@dataclass
class Fresh:
    """A rebuild's records of one topic (or several) in one read, decided once for every
    projection that reads them: the events to apply — a record delivered again or a copy the
    relay published twice stepped over, as ``apply_decoded`` would — and what the records
    reach per partition, copies included. A rebuild's projections start from the same empty
    positions and only it moves them (it holds their locks), so each would decide the same."""

    events: list[RecordedEvent] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)  # of the events, for their spans: tracing only
    reach: Reach = field(default_factory=dict)
    read: int = 0  # records, copies included

    @staticmethod
    def joined(parts: list[Fresh]) -> Fresh:
        return Fresh([e for p in parts for e in p.events], [d for p in parts for d in p.deliveries],
                     {k: v for p in parts for k, v in p.reach.items()}, sum(p.read for p in parts))


async def _empty(runner: ProjectionRunner, conn: asyncpg.Connection) -> None:
    """Take the projection's lock for the whole rebuild, then empty its model and positions."""
    await conn.execute("select pg_advisory_lock($1)", runner.lock_key)
    async with conn.transaction():
        for table in runner.projection.tables:
            await conn.execute(f"truncate {table}")
        await conn.execute("delete from proj.positions where projection = $1", runner.projection.name)
        # The replay decides again about every record: one still held would otherwise be
        # applied by the rebuild and once more by a retry.
        await conn.execute("delete from proj.quarantine where projection = $1 and status = 'held'",
                           runner.projection.name)


async def _read_to_end(
    consumer: AIOKafkaConsumer, runners: Sequence[ProjectionRunner], batch_size: int,
) -> AsyncIterator[tuple[dict[str, Fresh], int, int]]:
    """Batches of every record of the runners' topics, up to each partition's end as of now,
    decoded, stepped over where already applied, grouped by topic, with the count read so far
    and the total."""
    topics = sorted({t for r in runners for t in r.topics.values()})
    partitions = [
        TopicPartition(topic, p)
        for topic in topics
        for p in sorted(consumer.partitions_for_topic(topic) or await _partitions(consumer, topic))
    ]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    ends = await consumer.end_offsets(partitions)
    total, read = sum(ends.values()), 0
    remaining = {tp for tp, end in ends.items() if end > 0}
    reached: Reach = {}  # per partition, the offset and position applied so far
    keep_deliveries = tracing.enabled()  # they only carry the spans' trace context
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=batch_size)
        by_topic: dict[str, Fresh] = {}
        for tp, records in batch.items():
            end, key = ends[tp], (tp.topic, tp.partition)
            fresh = by_topic.setdefault(tp.topic, Fresh())
            events, deliveries = fresh.events, fresh.deliveries
            offset, position = reached.get(key, (-1, 0))
            for start in range(0, len(records), SLICE):
                for r in records[start:start + SLICE]:
                    if r.offset >= end or r.offset <= offset:
                        continue  # beyond the end as of the start, or delivered again
                    offset = r.offset
                    fresh.read += 1
                    event = decode(r.value)
                    if (event.global_position or 0) <= position:
                        continue  # published twice: step over the copy
                    position = event.global_position or 0
                    events.append(event)
                    if keep_deliveries:
                        deliveries.append(Delivery(tp.topic, tp.partition, r.offset, r.value, dict(r.headers or ())))
                await asyncio.sleep(0)  # a projection whose statement came back sends its next one now
            if offset >= 0:
                reached[key] = fresh.reach[key] = (offset, position)
            if records and records[-1].offset >= end - 1:
                remaining.discard(tp)
        count = sum(f.read for f in by_topic.values())
        by_topic = {t: f for t, f in by_topic.items() if f.read}
        if count:
            read += count
            yield by_topic, read, total


@contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """A rebuild allocates millions of short-lived objects that reference counting frees and
    no cycle holds; with thousands alive per batch the cycle collector rescans them again and
    again — measured, a fifth of the rebuild's CPU for 14 objects found. Paused meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _flushed_commit(conn: asyncpg.Connection) -> None:
    """Wait until the batches committed without waiting are on disk: a commit that waits
    flushes the WAL up to itself, and it writes a commit record only if it has an id."""
    async with conn.transaction():
        await conn.execute("select pg_current_xact_id()")


@contextmanager
def _apply_spans(name: str, fresh: Sequence[tuple[Delivery, RecordedEvent]]) -> Iterator[None]:
    """One span per applied event, in the trace its record carried, covering its batch."""
    if not tracing.enabled():
        yield
        return
    tracer = trace.get_tracer("xingcun")
    spans = [
        tracer.start_span(
            f"{name} apply", context=context_from_headers(d.headers), kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.source.name": d.topic,
                        "messaging.kafka.offset": d.offset, "xingcun.event_type": e.type,
                        "messaging.batch.message_count": len(fresh)},
        )
        for d, e in fresh
    ]
    try:
        with trace.use_span(spans[0], end_on_exit=False):
            yield
    finally:
        for s in spans:
            s.end()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    # Metadata of a topic the consumer never subscribed to arrives after one refresh.
    for _ in range(50):
        await consumer._client.force_metadata_update()  # noqa: SLF001 — aiokafka has no public call
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return parts
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} has no partitions")


def sorted_rows(rows: Iterable[tuple]) -> list[tuple]:
    """Rows in one total order, nulls first in each column: two rows equal up to a column where
    one holds NULL and the other a value cannot be compared as plain tuples."""
    return sorted(rows, key=lambda row: tuple((value is not None, value) for value in row))
