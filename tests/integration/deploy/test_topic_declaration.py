"""Topics come only from their declaration (XINGCUN_TOPIC_*): created as declared on the
local single broker, only checked where the cluster declares them itself (KafkaTopics), and
a replication the cluster cannot honour is refused — never a silent replication factor 1."""

from __future__ import annotations

import secrets

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from shared.config import Settings
from shared.messaging.credentials import client_options
from shared.messaging.kafka import TopicsError, ensure_declared_topics, ensure_topics, replication_fits


def test_replication_one_only_on_a_single_broker():
    assert replication_fits(1, 1)
    assert not replication_fits(1, 3)  # would lose events with any one broker
    assert replication_fits(3, 3) and replication_fits(2, 3)
    assert not replication_fits(3, 1)


async def describe(settings: Settings, topic: str) -> tuple[int, int, str]:
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        (meta,) = await admin.describe_topics([topic])
        replicas = {len(p["replicas"]) for p in meta["partitions"]}
        (configs,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        entries = {e[0]: e[1] for e in configs.resources[0][4]}
        return len(meta["partitions"]), replicas.pop(), entries["min.insync.replicas"]
    finally:
        await admin.close()


async def test_created_as_declared_on_the_local_broker(settings):
    topic = f"{settings.topic_prefix}declared-{secrets.token_hex(3)}.events"
    declared = settings.model_copy(update={"topic_partitions": 2})
    await ensure_declared_topics(declared, [topic])
    assert await describe(settings, topic) == (2, 1, "1")


async def test_where_the_cluster_declares_topics_a_missing_one_is_an_error(settings):
    topic = f"{settings.topic_prefix}undeclared-{secrets.token_hex(3)}.events"
    with pytest.raises(TopicsError, match=topic):
        await ensure_declared_topics(settings.model_copy(update={"topic_create": False}), [topic])


async def test_a_replication_the_cluster_cannot_honour_is_refused(settings):
    topic = f"{settings.topic_prefix}replicated-{secrets.token_hex(3)}.events"
    with pytest.raises(TopicsError, match="replication factor 3"):
        await ensure_topics(settings, [topic], 3, replication_factor=3, min_insync_replicas=2)
    with pytest.raises(TopicsError, match="min.insync.replicas"):
        await ensure_topics(settings, [topic], 3, replication_factor=1, min_insync_replicas=2)
