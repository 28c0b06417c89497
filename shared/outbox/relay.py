"""The outbox relay: orders committed events into the log, then publishes the log to Kafka.

Two checkpoints in ``es.relay_state`` make it safe to kill at any moment:

1. *Sequencing* reads events whose sequencing key is older than every transaction still
   running here (``tx < es.horizon()``) — so a writer that commits late is never skipped —
   in key order, and gives each a dense global position and a hash-chain link, in one
   statement. The key is the writer's transaction id raised to that of the stream's
   previous event, so a stream's positions follow its versions (docs/reliability.md).
2. *Publishing* sends the log after ``published_position`` to ``<service>.events``,
   keyed by stream id, waits for ``acks=all``, then moves the checkpoint. A crash between
   the two re-sends: delivery is at-least-once, and every consumer dedupes by position.

Only the holder of a PostgreSQL advisory lock relays, so replicas may run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from opentelemetry.trace import SpanKind

from shared.contracts.audit import ChainCheckpointed
from shared.eventstore import CommandMeta, EventStore, chain
from shared.eventstore.store import EVENT_COLUMNS, to_recorded
from shared.messaging.kafka import encode, headers_for
from shared.outbox.wakeup import Wakeup
from shared import tracing
from shared.tracing import span

log = structlog.get_logger("xingcun.relay")
RELAY_LOCK = 7_100_002


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        source: str,
        topic: str,
        batch_size: int = 1000,
        poll_interval: float = 0.01,
        idle_poll_interval: float = 0.25,
        checkpoint_every: int = 1000,
        checkpoint_interval: float = 60.0,
        new_producer: Callable[[], AIOKafkaProducer] | None = None,
    ):
        self.pool = pool
        self.producer = producer
        self.source = source
        self.topic = topic
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.idle_poll_interval = idle_poll_interval
        self._unpublished = True  # unknown at start: look once
        self._published: int | None = None  # the published checkpoint, as this leader last wrote or read it
        self._fresh: list[dict] | None = None  # the batch just sequenced, when it is next to publish
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval = checkpoint_interval
        self._last_checkpoint_at = self._last_checkpoint_probe = time.monotonic()
        self.new_producer = new_producer  # builds a fresh producer after a failed send
        self.wakeup = Wakeup()

    async def sequence_once(self) -> int:
        # One round trip while idle: the probe reads the checkpoint and what lies beyond it
        # outside any transaction (this process is the only sequencer), so it has no xid of
        # its own holding the horizon back. Only when there is something does it write, in
        # one statement (atomic without a transaction).
        async with self.pool.acquire() as conn:
            # The cursor is the inner scan's bound (lateral): a join filter instead would walk
            # the index from the log's first event on every probe — O(log) per probe.
            rows = await conn.fetch(
                f"""with s as (select last_tx, last_row, last_position, last_hash from es.relay_state limit 1)
                    select {EVENT_COLUMNS}, e.tx, s.last_position, s.last_hash
                    from s cross join lateral (
                        select * from es.events e
                        where (e.tx, e.id) > (s.last_tx, s.last_row)
                          and e.tx < es.horizon()
                        order by e.tx, e.id limit $1) e
                    order by e.tx, e.id""",
                self.batch_size,
            )
            if not rows:
                return 0
            start = rows[0]["last_position"]
            position, previous = start, bytes(rows[0]["last_hash"])
            positions, hashes = [], []
            for row in rows:
                position += 1
                previous = chain.link(previous, position, row)
                positions.append(position)
                hashes.append(previous)
            await conn.execute(
                """with logged as (
                       insert into es.log (position, event_row, chain_hash)
                       select * from unnest($1::bigint[], $2::bigint[], $3::bytea[]))
                   update es.relay_state set last_tx = $4, last_row = $5, last_position = $6, last_hash = $7""",
                positions, [row["id"] for row in rows], hashes,
                rows[-1]["tx"], rows[-1]["id"], position, previous,
            )
        self._unpublished = True
        # Everything before this batch already published: the batch goes out as it was
        # read, without reading it back from the log.
        self._fresh = [dict(row, position=p, chain_hash=h) for row, p, h in zip(rows, positions, hashes)] \
            if self._published == start else None
        return len(rows)

    async def publish_once(self) -> int:
        rows, self._fresh = self._fresh, None
        fresh = rows is not None
        if not fresh:
            async with self.pool.acquire() as conn:
                self._published = await conn.fetchval("select published_position from es.relay_state")
                rows = await conn.fetch(
                    f"""select {EVENT_COLUMNS}, l.position, l.chain_hash
                        from es.log l join es.events e on e.id = l.event_row
                        where l.position > $1 order by l.position limit $2""",
                    self._published,
                    self.batch_size,
                )
        # A full batch read back from the log may have more behind it; a fresh one is all.
        self._unpublished = not fresh and len(rows) == self.batch_size
        if not rows:
            return 0
        sends = []
        for row in rows:
            event = to_recorded(row, self.source)
            traceparent = row["traceparent"]
            with contextlib.ExitStack() as scope:
                if tracing.enabled():  # continue the command's trace through the publish
                    scope.enter_context(span(
                        f"{self.topic} publish", context=tracing.context_from_headers({"traceparent": traceparent}),
                        kind=SpanKind.PRODUCER,
                        attributes={"messaging.system": "kafka", "messaging.destination.name": self.topic,
                                    "xingcun.global_position": event.global_position},
                    ))
                    traceparent = tracing.current_traceparent()
                sends.append(
                    await self.producer.send(
                        self.topic,
                        value=encode(event),
                        key=event.stream_id.encode(),
                        headers=headers_for(event, traceparent),
                    )
                )
        await asyncio.gather(*sends)
        async with self.pool.acquire() as conn:
            await conn.execute(
                "update es.relay_state set published_position = $1 where published_position < $1",
                rows[-1]["position"],
            )
        self._published = rows[-1]["position"]
        return len(rows)

    async def checkpoint_once(self) -> bool:
        """Publish the chain head as an event when enough has happened since the last one.

        The checkpoint is itself an event of the log, so a head only counts as new when
        more than the previous checkpoint has been sequenced since.
        """
        async with self.pool.acquire() as conn:
            state = await conn.fetchrow("select last_position, last_hash, checkpointed_position from es.relay_state")
            fresh = state["last_position"] - state["checkpointed_position"]
            due = fresh >= self.checkpoint_every or (
                fresh > 1 and time.monotonic() - self._last_checkpoint_at >= self.checkpoint_interval)
            if not due:
                return False
            head = ChainCheckpointed(position=state["last_position"], chain_hash=bytes(state["last_hash"]).hex())
            async with conn.transaction():  # only the leading relay writes these rows
                await EventStore(self.pool, self.source).append(
                    conn, f"chain-{head.position}", 0, [head], CommandMeta(actor="system:relay"))
                await conn.execute("update es.relay_state set checkpointed_position = $1", head.position)
        self._last_checkpoint_at = time.monotonic()
        return True

    async def drain(self) -> int:
        """Sequence and publish until nothing is left; returns how many were published."""
        total = 0
        while True:
            sequenced = await self.sequence_once()
            if self._unpublished:
                total += await self.publish_once()
            if sequenced == self.batch_size or self._unpublished:
                continue  # a full batch: more may be waiting
            # Caught up: look whether a checkpoint is due now and then, not at every wake.
            if time.monotonic() - self._last_checkpoint_probe < 1.0:
                return total
            self._last_checkpoint_probe = time.monotonic()
            if not await self.checkpoint_once():
                return total

    async def run(self, stopping: asyncio.Event) -> None:
        """Relay for as long as this process holds the relay lock, until ``stopping``."""
        while not stopping.is_set():
            try:
                await self._lead(stopping)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: wait, then try again
                log.warning("relay_interrupted", error=repr(exc))
                self._published, self._fresh = None, None  # read the checkpoint again
                if isinstance(exc, KafkaError) and self.new_producer is not None:
                    await self._renew_producer(stopping)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=1.0)

    async def _renew_producer(self, stopping: asyncio.Event) -> None:
        """Start again with a fresh producer after a failed send.

        An idempotent producer whose sends expired while the broker was away can be left
        with sequence numbers the broker rejects for good (OutOfOrderSequenceNumber on every
        retry): the relay would never publish again. A new producer id starts clean; the
        batch is sent again from the checkpoint, and consumers skip any copy by position.
        """
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.producer.stop(), timeout=5.0)
        while not stopping.is_set():
            producer = self.new_producer()
            try:
                await producer.start()
                self.producer = producer
                return
            except Exception as exc:  # noqa: BLE001 - broker still away
                log.warning("relay_producer_restart_failed", error=repr(exc))
                with contextlib.suppress(Exception):
                    await producer.stop()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=1.0)

    async def _lead(self, stopping: asyncio.Event) -> None:
        conn: asyncpg.Connection = await self.pool.acquire()
        try:
            if not await conn.fetchval("select pg_try_advisory_lock($1)", RELAY_LOCK):
                with contextlib.suppress(asyncio.TimeoutError):  # another replica leads
                    await asyncio.wait_for(stopping.wait(), timeout=2.0)
                return
            log.info("relay_leading", topic=self.topic)
            self._unpublished, self._published, self._fresh = True, None, None
            # Woken by the API's notification after a commit (wakeup.py), and polling
            # besides for what nobody announced: the wait doubles while nothing comes, up to
            # the idle interval, so an idle service costs a few queries a second.
            await self.wakeup.listen(conn)
            wait = self.poll_interval
            while not stopping.is_set():
                moved = await self.drain()
                wait = self.poll_interval if moved else min(wait * 2, self.idle_poll_interval)
                await self.wakeup.sleep(stopping, wait)
        finally:
            with contextlib.suppress(Exception):
                await self.wakeup.unlisten(conn)
            with contextlib.suppress(Exception):
                await conn.execute("select pg_advisory_unlock_all()")
            await self.pool.release(conn)
