"""A service's worker behind its topic by more than the rule's seconds, sampled from the real
broker (its consumer group's committed offsets and the records' timestamps): one operations
alert; a sample once it caught up clears it."""

from __future__ import annotations

import secrets
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from shared.messaging.credentials import client_options
from shared.messaging.kafka import ensure_topics, event_producer

from services.monitoring.adapters.lag_watch import LagWatch


async def commit(settings, group: str, tp: TopicPartition, offset: int) -> None:
    consumer = AIOKafkaConsumer(**client_options(settings), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.commit({tp: OffsetAndMetadata(offset, "")})
    finally:
        await consumer.stop()


async def test_a_worker_behind_raises_ops_projection_lag_until_it_catches_up(monitoring, settings):
    m = monitoring
    own = settings.model_copy(update={"topic_prefix": f"{settings.topic_prefix}lag{secrets.token_hex(2)}."})
    topic = own.topic("registry")
    await ensure_topics(own, [topic], 1)
    tp = TopicPartition(topic, 0)
    producer = event_producer(own)
    await producer.start()
    sent = int(time.time() * 1000) - 120_000  # two minutes ago
    try:
        for i in range(3):
            await producer.send_and_wait(topic, value=b"x", timestamp_ms=sent + i)
    finally:
        await producer.stop()
    group = f"{own.topic_prefix}xingcun-funding"
    await commit(own, group, tp, 0)  # funding's worker consumed nothing of it
    watch = LagWatch(m.pool, own, services=["funding"])
    limit = await watch.seconds_allowed()
    assert limit == 60
    behind = await watch.sample(limit)
    assert behind["funding"] >= 119
    await watch.sample(limit)  # still behind: the same alert
    await m.sync()
    [alert] = await m.alerts("ops.projection_lag")
    assert (alert["subject_id"], alert["state"], alert["audience"], alert["figures"]["since_ms"]) == (
        "funding", "open", ["operations"], str(sent))
    await commit(own, group, tp, 3)  # caught up
    assert (await watch.sample(limit))["funding"] == 0
    await m.sync()
    [alert] = await m.alerts("ops.projection_lag")
    assert alert["state"] == "resolved" and alert["resolved_how"] == "cleared"
