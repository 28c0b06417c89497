"""The outbox relay: orders committed events into the log, then publishes the log to Kafka.

Two checkpoints in ``es.relay_state`` make it safe to kill at any moment:

1. *Sequencing* reads events whose transaction is older than every transaction still
   running (``tx < pg_snapshot_xmin``) — so a writer that commits late is never skipped —
   and gives each a dense global position and a hash-chain link, in one transaction.
2. *Publishing* sends the log after ``published_position`` to ``<service>.events``,
   keyed by stream id, waits for ``acks=all``, then moves the checkpoint. A crash between
   the two re-sends: delivery is at-least-once, and every consumer dedupes by position.

Only the holder of a PostgreSQL advisory lock relays, so replicas may run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry.trace import SpanKind

from shared.contracts.audit import ChainCheckpointed
from shared.eventstore import CommandMeta, EventStore, chain
from shared.eventstore.store import EVENT_COLUMNS, to_recorded
from shared.messaging.kafka import encode, headers_for
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
        idle_wait: float = 0.2,
        checkpoint_every: int = 1000,
        checkpoint_interval: float = 60.0,
    ):
        self.pool = pool
        self.producer = producer
        self.source = source
        self.topic = topic
        self.batch_size = batch_size
        self.idle_wait = idle_wait
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval = checkpoint_interval
        self._last_checkpoint_at = time.monotonic()
        self._wake = asyncio.Event()

    async def sequence_once(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            state = await conn.fetchrow("select * from es.relay_state")
            # The select runs before this transaction writes, so it has no xid of its own
            # holding the horizon back.
            rows = await conn.fetch(
                f"""select {EVENT_COLUMNS}, e.tx from es.events e
                    where (e.tx, e.id) > ($1::xid8, $2)
                      and e.tx < pg_snapshot_xmin(pg_current_snapshot())
                    order by e.tx, e.id limit $3""",
                state["last_tx"],
                state["last_row"],
                self.batch_size,
            )
            if not rows:
                return 0
            position, previous = state["last_position"], bytes(state["last_hash"])
            links = []
            for row in rows:
                position += 1
                previous = chain.link(previous, position, row)
                links.append((position, row["id"], previous))
            await conn.executemany(
                "insert into es.log (position, event_row, chain_hash) values ($1, $2, $3)", links
            )
            await conn.execute(
                """update es.relay_state set last_tx = $1, last_row = $2,
                   last_position = $3, last_hash = $4""",
                rows[-1]["tx"],
                rows[-1]["id"],
                position,
                previous,
            )
            return len(rows)

    async def publish_once(self) -> int:
        async with self.pool.acquire() as conn:
            published = await conn.fetchval("select published_position from es.relay_state")
            rows = await conn.fetch(
                f"""select {EVENT_COLUMNS}, l.position, l.chain_hash
                    from es.log l join es.events e on e.id = l.event_row
                    where l.position > $1 order by l.position limit $2""",
                published,
                self.batch_size,
            )
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
        return len(rows)

    async def checkpoint_once(self) -> bool:
        """Publish the chain head as an event when enough has happened since the last one.

        The checkpoint is itself an event of the log, so a head only counts as new when
        more than the previous checkpoint has been sequenced since.
        """
        async with self.pool.acquire() as conn, conn.transaction():
            state = await conn.fetchrow(
                "select last_position, last_hash, checkpointed_position from es.relay_state for update")
            fresh = state["last_position"] - state["checkpointed_position"]
            due = fresh >= self.checkpoint_every or (
                fresh > 1 and time.monotonic() - self._last_checkpoint_at >= self.checkpoint_interval)
            if not due:
                return False
            head = ChainCheckpointed(position=state["last_position"], chain_hash=bytes(state["last_hash"]).hex())
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
            published = await self.publish_once()
            total += published
            if not sequenced and not published and not await self.checkpoint_once():
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
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=1.0)

    async def _lead(self, stopping: asyncio.Event) -> None:
        conn: asyncpg.Connection = await self.pool.acquire()
        wake = None
        try:
            if not await conn.fetchval("select pg_try_advisory_lock($1)", RELAY_LOCK):
                with contextlib.suppress(asyncio.TimeoutError):  # another replica leads
                    await asyncio.wait_for(stopping.wait(), timeout=2.0)
                return
            wake = lambda *_: self._wake.set()  # noqa: E731
            await conn.add_listener("es_appended", wake)
            log.info("relay_leading", topic=self.topic)
            while not stopping.is_set():
                self._wake.clear()
                await self.drain()
                # A notified event may still sit behind an older open transaction:
                # the short timeout looks again soon.
                waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stopping.wait())]
                _, pending = await asyncio.wait(waits, timeout=self.idle_wait, return_when=asyncio.FIRST_COMPLETED)
                for w in pending:
                    w.cancel()
        finally:
            with contextlib.suppress(Exception):
                if wake is not None:
                    await conn.remove_listener("es_appended", wake)
                await conn.execute("select pg_advisory_unlock_all()")
            await self.pool.release(conn)
