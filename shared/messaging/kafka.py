"""Kafka plumbing: a producer an event store can trust, topics that keep events forever,
and the wire form of an event (JSON value, CloudEvents-style headers)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.config import Settings
from shared.messaging import written_form
from shared.messaging.credentials import client_options
from shared.eventstore.envelope import RecordedEvent

Headers = list[tuple[str, bytes]]


def event_producer(settings: Settings) -> AIOKafkaProducer:
    # aiokafka defaults to acks=1 without idempotence; an event log needs both. No linger:
    # the relay hands over a whole batch and waits for it, so lingering only delays it.
    return AIOKafkaProducer(
        **client_options(settings),
        acks="all",
        enable_idempotence=True,
        linger_ms=0,
        request_timeout_ms=15000,
    )


async def list_topics(settings: Settings, timeout_ms: int = 5000) -> list[str]:
    """The topics the settings' principal may see (an unauthenticated client is refused)."""
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=timeout_ms)
    await admin.start()
    try:
        return await admin.list_topics()
    finally:
        await admin.close()


class TopicsError(RuntimeError):
    """Declared topics that are missing, or a declaration the cluster cannot honour."""


def replication_fits(replication_factor: int, brokers: int) -> bool:
    """Every replica on a broker of its own, and a single copy only where there is one broker."""
    return replication_factor <= brokers and (replication_factor > 1 or brokers == 1)


async def ensure_topics(
    settings: Settings,
    topics: Iterable[str],
    partitions: int,
    *,
    replication_factor: int = 1,
    min_insync_replicas: int = 1,
    create: bool = True,
) -> None:
    """Create the missing ``topics`` as declared, or (``create=False``) only check they exist.

    Replication factor 1 is refused on a cluster of more than one broker: such a topic
    would lose events with any one broker, and outside the local single-broker stack the
    declaration (XINGCUN_TOPIC_REPLICATION_FACTOR, KafkaTopic resources) says otherwise.
    """
    if not 1 <= min_insync_replicas <= replication_factor:
        raise TopicsError(
            f"min.insync.replicas={min_insync_replicas} 须在 1 与副本数 {replication_factor} 之间 / "
            f"must lie between 1 and the replication factor {replication_factor}"
        )
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if not missing:
            return
        if not create:
            raise TopicsError(
                f"主题未声明 / topics not declared on the cluster: {', '.join(missing)} "
                "(Kubernetes: the KafkaTopic of each service, deploy/k8s/base/service/data.yaml)"
            )
        brokers = len((await admin.describe_cluster())["brokers"])
        if not replication_fits(replication_factor, brokers):
            raise TopicsError(
                f"副本数 {replication_factor} 不适合 {brokers} 个 broker 的集群 / replication factor "
                f"{replication_factor} does not fit a cluster of {brokers} brokers "
                "(1 only on a single broker; set XINGCUN_TOPIC_REPLICATION_FACTOR)"
            )
        wanted = [
            NewTopic(
                name=t,
                num_partitions=partitions,
                replication_factor=replication_factor,
                topic_configs={
                    "retention.ms": "-1",
                    "cleanup.policy": "delete",
                    "min.insync.replicas": str(min_insync_replicas),
                },
            )
            for t in missing
        ]
        try:
            await admin.create_topics(wanted)
        except TopicAlreadyExistsError:
            pass
    finally:
        await admin.close()


async def ensure_declared_topics(settings: Settings, topics: Iterable[str]) -> None:
    """The topics as this environment declares them (XINGCUN_TOPIC_*)."""
    await ensure_topics(
        settings, topics, settings.topic_partitions,
        replication_factor=settings.topic_replication_factor,
        min_insync_replicas=settings.topic_min_insync_replicas,
        create=settings.topic_create,
    )


def encode(event: RecordedEvent) -> bytes:
    return orjson.dumps(event.model_dump(mode="json"))


def decode(value: bytes) -> RecordedEvent:
    # A record in the form ``encode`` writes is read without a validation pass (a rebuild
    # decodes every record); any other is validated by pydantic in full, as before.
    return written_form.decode(value)


def headers_for(event: RecordedEvent, traceparent: str | None) -> Headers:
    """CloudEvents Kafka binding (binary mode) attributes, plus the W3C trace context."""
    headers: Headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", str(event.event_id).encode()),
        ("ce_source", f"/xingcun/{event.source}".encode()),
        ("ce_type", f"cn.xingcun.{event.source}.{event.type}.v{event.schema_version}".encode()),
        ("ce_time", event.occurred_at.isoformat().encode()),
        ("ce_subject", event.stream_id.encode()),
        ("content-type", b"application/json"),
    ]
    if traceparent:
        headers.append(("traceparent", traceparent.encode()))
    return headers


def event_type_in(headers: Headers | dict[str, bytes] | None) -> str | None:
    """The event type a record's ``ce_type`` header names (``headers_for``), or None."""
    items = headers.items() if isinstance(headers, dict) else headers or ()
    for key, value in items:
        if key == "ce_type":
            parts = value.decode().split(".")  # cn.xingcun.<source>.<type>.v<version>
            return parts[3] if len(parts) == 5 else None
    return None
