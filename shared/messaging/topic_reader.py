"""Reading a whole topic as it stands: every record from the beginning to the end offsets
taken when the read starts (what audits and checks compare against), per partition."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.config import Settings
from shared.messaging.credentials import client_options


async def read_to_end(settings: Settings, topic: str, *, timeout: float = 60.0) -> dict[TopicPartition, list[ConsumerRecord]]:
    """Every record of ``topic`` up to its end as of now; LookupError if there is no such topic."""
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    try:
        parts: set[int] = set()
        for _ in range(50):  # a topic just made may take a moment to show in the metadata
            await consumer._client.force_metadata_update()  # noqa: SLF001 — aiokafka has no public call
            if parts := consumer.partitions_for_topic(topic) or set():
                break
            await asyncio.sleep(0.1)
        if not parts:
            raise LookupError(f"主题不存在 / no such topic: {topic}")
        partitions = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: dict[TopicPartition, list[ConsumerRecord]] = defaultdict(list)
        remaining = {tp for tp, end in ends.items() if end > 0}
        deadline = asyncio.get_running_loop().time() + timeout
        while remaining:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"读取 {topic} 超时 / reading {topic} timed out")
            for tp, batch in (await consumer.getmany(*remaining, timeout_ms=1000)).items():
                records[tp] += [r for r in batch if r.offset < ends[tp]]
                if batch and batch[-1].offset >= ends[tp] - 1:
                    remaining.discard(tp)
        return records
    finally:
        await consumer.stop()
