"""Every service's ``<service>.quarantine`` topic, read by monitoring's worker: a record a
projection held aside raises ``ops.quarantined_event``; the operator's retry or skip (the
notice ``xingcun projections quarantine`` puts on the same topic) clears it.

Each notice is one command with an idempotency key of its own, and the consumer commits its
offsets only after the commands: a notice read twice has its effect once. The business day is
the record's Kafka timestamp (Beijing), not the worker's clock: reading the topic again gives
the same alerts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer

from shared.config import SERVICES, Settings
from shared.eventstore import CommandMeta, EventStore
from shared.messaging.acls import quarantine_group
from shared.messaging.credentials import client_options
from shared.messaging.quarantine_notice import read_notice

from services.monitoring.domain.calendar import business_day
from services.monitoring.handlers.operations import QUARANTINED, quarantine_noticed

log = structlog.get_logger("xingcun.monitoring.quarantine")


class QuarantineFeed:
    def __init__(self, pool: asyncpg.Pool, settings: Settings, services: Sequence[str] = SERVICES):
        self.store = EventStore(pool, "monitoring")
        self.settings = settings
        self.topics = {settings.quarantine_topic(s): s for s in services}
        self.meta = CommandMeta(actor="system:quarantine")

    async def handle(self, topic: str, headers: Sequence[tuple[str, bytes]], timestamp_ms: int) -> None:
        notice = read_notice(headers)
        if notice is None:
            return
        service = self.topics[topic]
        on = business_day(datetime.fromtimestamp(timestamp_ms / 1000, UTC))
        subject = f"{service}/{notice.subject}"
        verb = "raise" if notice.status == "held" else "clear"
        await self.store.execute(
            "RaiseOperationsAlert" if verb == "raise" else "ClearOperationsAlert",
            {"subject": subject, "status": notice.status}, self.meta,
            lambda uow: quarantine_noticed(uow, service, notice, on), f"{QUARANTINED}:{verb}:{subject}")

    async def run(self, stopping: asyncio.Event | None = None) -> None:
        """Read until ``stopping``; a broker or database away is waited out (the offsets not
        committed are read again)."""
        while stopping is None or not stopping.is_set():
            try:
                await self._consume(stopping)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep watching: this is what tells operators
                log.warning("quarantine_feed_failed", error=repr(exc))
                await asyncio.sleep(2)

    async def _consume(self, stopping: asyncio.Event | None) -> None:
        consumer = AIOKafkaConsumer(
            *sorted(self.topics), **client_options(self.settings),
            group_id=quarantine_group(self.settings.topic_prefix), enable_auto_commit=False,
            auto_offset_reset="earliest", isolation_level="read_committed")
        await consumer.start()
        try:
            while stopping is None or not stopping.is_set():
                batch = await consumer.getmany(timeout_ms=500, max_records=100)
                for records in batch.values():
                    for r in records:
                        await self.handle(r.topic, list(r.headers or ()), r.timestamp)
                if batch:
                    await consumer.commit()
        finally:
            await consumer.stop()
