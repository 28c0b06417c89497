"""The broker locked: who is refused and what each principal may do (shared/messaging/acls.py),
on the real broker of the local stack (SASL/SCRAM, StandardAuthorizer, deny by default)."""

from __future__ import annotations

import asyncio
import logging
import secrets

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import GroupAuthorizationFailedError, KafkaConnectionError, TopicAuthorizationFailedError
from aiokafka.structs import OffsetAndMetadata
from pydantic import SecretStr

from shared.messaging.acls import BUREAU, acl_table, app_id
from shared.messaging.consumer_lag import ConsumerLag
from shared.messaging.credentials import as_principal, client_options
from shared.messaging.kafka import ensure_topics, list_topics
from shared.messaging.kafka_admin import apply_acls, granted
from shared.stack.kafka import admin_settings, auth_enabled


@pytest.fixture(scope="module")
async def locked(settings):
    """Settings of a prefix of its own, its topics declared and its ACLs granted."""
    if not auth_enabled(settings):
        pytest.skip("the running broker was formatted without users: stop the stack, delete <state>/kafka/data, start it again")
    own = settings.model_copy(update={"topic_prefix": f"{settings.topic_prefix}acl{secrets.token_hex(2)}."})
    admin = admin_settings(own)
    await ensure_topics(admin, [own.topic(s) for s in ("registry", "funding")] + [own.quarantine_topic("registry")], 1)
    await asyncio.to_thread(apply_acls, admin)
    return own


async def produce(settings, topic: str) -> None:
    producer = AIOKafkaProducer(**client_options(settings), request_timeout_ms=5000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}")
    finally:
        await producer.stop()


async def consume(settings, topic: str) -> int:
    consumer = AIOKafkaConsumer(topic, **client_options(settings), group_id=None, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        return sum(len(b) for b in (await consumer.getmany(timeout_ms=3000)).values())
    finally:
        await consumer.stop()


async def test_a_client_without_credentials_is_refused(locked):
    plain = locked.model_copy(update={"kafka_security_protocol": "PLAINTEXT"})
    with pytest.raises(KafkaConnectionError):
        await list_topics(plain)
    assert locked.topic("registry") in await list_topics(as_principal(locked, "registry"))


async def test_a_wrong_password_fails_authentication(locked, caplog):
    wrong = as_principal(locked, "registry").model_copy(update={"kafka_sasl_password": SecretStr("wrong")})
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        await list_topics(wrong)
    assert "SaslAuthenticationFailed" in caplog.text


async def test_a_service_writes_its_own_topic_and_no_other(locked):
    registry = as_principal(locked, "registry")
    await produce(registry, locked.topic("registry"))
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(registry, locked.topic("funding"))
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(as_principal(locked, "funding"), locked.topic("registry"))


async def test_a_worker_reads_its_sources_and_nothing_else(locked):
    await produce(as_principal(locked, "funding"), locked.topic("funding"))
    assert await consume(as_principal(locked, "assessment"), locked.topic("funding")) >= 1  # a source of assessment
    with pytest.raises(TopicAuthorizationFailedError):
        await consume(as_principal(locked, "registry"), locked.topic("funding"))  # registry reads only its own


async def test_the_bureau_reads_public_topics_and_writes_nothing(locked):
    bureau = as_principal(locked, BUREAU)
    await produce(as_principal(locked, "registry"), locked.topic("registry"))
    assert await consume(bureau, locked.topic("registry")) >= 1
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(bureau, locked.topic("registry"))
    with pytest.raises(TopicAuthorizationFailedError):  # a service's quarantine is not public
        await consume(bureau, locked.quarantine_topic("registry"))


async def test_the_broker_holds_exactly_the_table(locked):
    table = {(g.principal, g.resource, g.pattern, g.name, g.operation.upper()) for g in acl_table(locked.topic_prefix)}
    on_broker = {(b.principal.removeprefix("User:"), b.restype.name.lower(), b.resource_pattern_type.name.lower(),
                  b.name, b.operation.name) for b in await asyncio.to_thread(granted, admin_settings(locked))
                 if b.name.startswith(locked.topic_prefix)}
    assert on_broker == table


async def test_a_service_reads_the_figure_readers_pace_on_its_topic_and_no_other_group(locked):
    """Admission on the backlog (shared/http/backlog.py) runs in the API as the service's principal."""
    registry = as_principal(locked, "registry")
    await produce(registry, locked.topic("registry"))
    publicity_group = app_id("publicity", locked.topic_prefix)
    reader = AIOKafkaConsumer(**client_options(as_principal(locked, "publicity")), group_id=publicity_group,
                              enable_auto_commit=False)
    await reader.start()
    try:
        tp = TopicPartition(locked.topic("registry"), 0)
        reader.assign([tp])
        await reader.commit({tp: OffsetAndMetadata(0, "")})
    finally:
        await reader.stop()
    async with ConsumerLag(registry) as lag:
        assert not await lag.running(publicity_group)
        assert await lag.behind(publicity_group, [locked.topic("registry")]) is not None  # the record above
        with pytest.raises(GroupAuthorizationFailedError):
            await lag.behind(app_id("funding", locked.topic_prefix))
