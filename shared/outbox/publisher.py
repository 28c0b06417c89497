"""The publisher: sends the log, in position order, to ``<service>.events`` and checkpoints.

It sends what lies after ``es.relay_state.published_position``, keyed by stream id, waits
for ``acks=all``, then moves the checkpoint. A crash between the two re-sends: delivery is
at-least-once, and every consumer dedupes by position.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry.trace import SpanKind

from shared import tracing
from shared.eventstore.store import EVENT_COLUMNS, to_recorded
from shared.messaging.kafka import encode, headers_for
from shared.outbox.sequencer import Sequenced
from shared.tracing import span

log = structlog.get_logger("xingcun.relay")


class Publisher:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer: AIOKafkaProducer,
        *,
        source: str,
        topic: str,
        batch_size: int = 1000,
        new_producer: Callable[[], AIOKafkaProducer] | None = None,
    ):
        self.pool = pool
        self.producer = producer
        self.source = source
        self.topic = topic
        self.batch_size = batch_size
        self.new_producer = new_producer  # builds a fresh producer after a failed send
        self.pending = True  # whether the log may hold unpublished events; unknown at start: look once
        self._published: int | None = None  # the checkpoint, as this leader last wrote or read it
        self._fresh: list[dict] | None = None  # the batch just sequenced, when it is next to publish

    def forget(self) -> None:
        """Read the checkpoint again before the next send (a new leader, or after a failure)."""
        self._published, self._fresh = None, None

    def sequenced(self, batch: Sequenced) -> None:
        """Told of a batch the sequencer just logged; with everything before it already
        published, the batch goes out as it was read, without reading it back from the log."""
        if not batch:
            return
        self.pending = True
        self._fresh = batch.rows if self._published == batch.after else None

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
        self.pending = not fresh and len(rows) == self.batch_size
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

    async def renew_producer(self, stopping: asyncio.Event) -> None:
        """Start again with a fresh producer after a failed send.

        An idempotent producer whose sends expired while the broker was away can be left
        with sequence numbers the broker rejects for good (OutOfOrderSequenceNumber on every
        retry): the relay would never publish again. A new producer id starts clean; the
        batch is sent again from the checkpoint, and consumers skip any copy by position.
        """
        if self.new_producer is None:
            return
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
