"""The end of each topic partition, read from the broker (how far the log has gone)."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.config import Settings
from shared.messaging.credentials import client_options


class EndOffsets:
    """One consumer without a group, started on first use and kept for the process's life."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._consumer: AIOKafkaConsumer | None = None
        self._lock = asyncio.Lock()

    async def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(**client_options(self.settings), enable_auto_commit=False,
                                        isolation_level="read_committed", request_timeout_ms=5000)
            await consumer.start()
            self._consumer = consumer
        return self._consumer

    async def of(self, topics: list[str]) -> dict[tuple[str, int], int]:
        async with self._lock:
            consumer = await self._started()
            parts = []
            for topic in topics:
                found = consumer.partitions_for_topic(topic)
                if not found:
                    await consumer._client.force_metadata_update()  # noqa: SLF001 — no public call in aiokafka
                    found = consumer.partitions_for_topic(topic) or set()
                parts += [TopicPartition(topic, p) for p in sorted(found)]
            if not parts:
                return {}
            ends = await asyncio.wait_for(consumer.end_offsets(parts), timeout=5)
            return {(tp.topic, tp.partition): end for tp, end in ends.items()}

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
