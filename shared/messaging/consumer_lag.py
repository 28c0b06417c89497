"""How far behind a topic a consumer group is, in seconds, read from the broker: for each
partition its group has committed, the age of the first record not yet consumed (its Kafka
timestamp against now). Monitoring raises ``ops.projection_lag`` on it; an API holds back
commands on it (shared/http/backlog.py). The same method as Burrow's or kafka-lag-exporter's,
except that the record's own timestamp is read rather than interpolated."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.config import Settings
from shared.messaging.credentials import client_options

# A group in any of these states has no member: its committed offsets stand still.
NOT_RUNNING = frozenset({"Empty", "Dead"})


class ConsumerLag:
    """An admin client and a group-less consumer, opened once and kept."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time):
        self.settings = settings
        self.clock = clock
        self.admin: AIOKafkaAdminClient | None = None
        self.consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self.admin = AIOKafkaAdminClient(**client_options(self.settings), request_timeout_ms=5000)
        self.consumer = AIOKafkaConsumer(**client_options(self.settings), enable_auto_commit=False,
                                         isolation_level="read_committed", request_timeout_ms=5000)
        try:
            await self.admin.start()
            await self.consumer.start()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        admin, consumer, self.admin, self.consumer = self.admin, self.consumer, None, None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()

    async def __aenter__(self) -> ConsumerLag:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def running(self, group: str) -> bool:
        """Whether the group has members (a stopped worker's offsets say nothing of its pace)."""
        [response] = await self.admin.describe_consumer_groups([group])
        return all(g[2] not in NOT_RUNNING for g in response.groups)

    async def behind(self, group: str, topics: Collection[str] | None = None) -> tuple[float, int] | None:
        """Seconds the group is behind (``topics``, or every ``*.events`` topic it committed),
        and the timestamp (ms) of the oldest record it has not consumed; None when it is not
        behind, or has committed nothing yet."""
        committed = await self.admin.list_consumer_group_offsets(group)
        parts = [tp for tp, meta in committed.items() if meta.offset >= 0 and (
            tp.topic in topics if topics is not None else tp.topic.endswith(".events"))]
        if not parts:
            return None
        ends = await self.consumer.end_offsets(parts)
        oldest = None
        for tp in parts:
            if committed[tp].offset < ends[tp]:
                ts = await self._timestamp_at(tp, committed[tp].offset)
                oldest = ts if oldest is None or (ts is not None and ts < oldest) else oldest
        if oldest is None:
            return None
        return max(0.0, self.clock() - oldest / 1000), oldest

    async def _timestamp_at(self, tp: TopicPartition, offset: int) -> int | None:
        self.consumer.assign([tp])
        self.consumer.seek(tp, offset)
        batch = await self.consumer.getmany(tp, timeout_ms=2000, max_records=1)
        records = batch.get(tp) or []
        return records[0].timestamp if records else None
