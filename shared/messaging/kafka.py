"""Kafka plumbing: a producer an event store can trust, topics that keep events forever,
and the wire form of an event (JSON value, CloudEvents-style headers)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.eventstore.envelope import RecordedEvent

Headers = list[tuple[str, bytes]]


def event_producer(bootstrap: str) -> AIOKafkaProducer:
    # aiokafka defaults to acks=1 without idempotence; an event log needs both. No linger:
    # the relay hands over a whole batch and waits for it, so lingering only delays it.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=0,
        request_timeout_ms=15000,
    )


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=t,
                num_partitions=partitions,
                replication_factor=1,
                topic_configs={"retention.ms": "-1", "cleanup.policy": "delete"},
            )
            for t in topics
            if t not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()


def encode(event: RecordedEvent) -> bytes:
    return orjson.dumps(event.model_dump(mode="json"))


def decode(value: bytes) -> RecordedEvent:
    return RecordedEvent.model_validate(orjson.loads(value))


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
