"""The outbox relay: a ``Sequencer`` orders committed events into the log, a ``Publisher``
sends the log to Kafka; the relay composes them under one leader.

Two checkpoints in ``es.relay_state`` make it safe to kill at any moment:

1. *Sequencing* (``sequencer.py``) gives each committed event a dense global position and
   a hash-chain link, in key order; a stream's positions follow its versions.
2. *Publishing* (``publisher.py``) sends the log after ``published_position`` with
   ``acks=all``, then moves the checkpoint: delivery is at-least-once, consumers dedupe by
   position.

Now and then the chain head is appended as an event (``ChainCheckpointer``). Only the
holder of a PostgreSQL advisory lock relays, so replicas may run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from shared.outbox.publisher import Publisher
from shared.outbox.sequencer import ChainCheckpointer, Sequencer
from shared.outbox.wakeup import Wakeup

log = structlog.get_logger("xingcun.relay")
RELAY_LOCK = 7_100_002


class OutboxRelay:
    """Sequences and publishes through ``publisher`` (which names the pool, producer, source,
    topic and batch size), and checkpoints the chain head now and then."""

    def __init__(
        self,
        publisher: Publisher,
        *,
        poll_interval: float = 0.01,
        idle_poll_interval: float = 0.25,
        checkpoint_every: int = 1000,
        checkpoint_interval: float = 60.0,
    ):
        self.publisher = publisher
        self.pool, self.topic, self.batch_size = publisher.pool, publisher.topic, publisher.batch_size
        self.poll_interval = poll_interval
        self.idle_poll_interval = idle_poll_interval
        self.sequencer = Sequencer(self.pool, batch_size=self.batch_size)
        self.heads = ChainCheckpointer(self.pool, source=publisher.source, every=checkpoint_every,
                                       interval=checkpoint_interval)
        self._last_checkpoint_probe = time.monotonic()
        self.wakeup = Wakeup()

    @property
    def producer(self) -> AIOKafkaProducer:
        return self.publisher.producer  # replaced after a failed send

    async def sequence_once(self) -> int:
        batch = await self.sequencer.sequence()
        self.publisher.sequenced(batch)
        return len(batch)

    async def publish_once(self) -> int:
        return await self.publisher.publish_once()

    async def checkpoint_once(self) -> bool:
        return await self.heads.checkpoint_once()

    async def drain(self) -> int:
        """Sequence and publish until nothing is left; returns how many were published."""
        total = 0
        while True:
            sequenced = await self.sequence_once()
            if self.publisher.pending:
                total += await self.publish_once()
            if sequenced == self.batch_size or self.publisher.pending:
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
                self.publisher.forget()  # read the checkpoint again
                if isinstance(exc, KafkaError):
                    await self.publisher.renew_producer(stopping)
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
            self.publisher.pending = True
            self.publisher.forget()
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
