"""Admission on the backlog (shared/http/backlog.py), against the real PostgreSQL and Kafka:
commands are refused at once with 503 and Retry-After while what the service accepted waits
longer than the limit — unpublished in its log, or not consumed by a running figure reader —
reads are still served, and commands are admitted again once the backlog has gone through."""

from __future__ import annotations

import asyncio
import secrets
import time

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from fastapi import FastAPI

from shared.eventstore import CommandMeta, EventStore
from shared.http.admission import install_admission
from shared.http.backlog import Backlog
from shared.messaging.acls import app_id
from shared.messaging.consumer_lag import ConsumerLag
from shared.messaging.credentials import client_options
from shared.messaging.kafka import ensure_topics, event_producer
from shared.outbox.publisher import Publisher
from shared.outbox.relay import OutboxRelay
from tests.support.events import Notebook

LIMIT = 0.5
META = CommandMeta(actor="test:clerk")


@pytest.fixture
def own(settings):
    """Topics of this test's own, so that no other test's group or records count."""
    return settings.model_copy(update={"topic_prefix": f"{settings.topic_prefix}adm{secrets.token_hex(2)}."})


async def until(check, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the backlog's sample did not move"
        await asyncio.sleep(0.05)


def service_app(store: EventStore, backlog: Backlog) -> FastAPI:
    app = FastAPI()
    install_admission(app, 0, backlog=backlog)

    @app.post("/notes/{key}")
    async def note(key: str) -> dict:
        async def handler(uow):
            book = await uow.load(Notebook, key)
            book.note(key)
            await uow.save(book)
            return {}
        await store.execute("Note", {"key": key}, META, handler)
        return {"noted": key}

    @app.get("/notes")
    async def read() -> dict:
        return {"ok": True}

    return app


async def test_commands_wait_while_what_was_accepted_is_unpublished(store, own):
    pool = store.pool
    topic = own.topic("test")
    await ensure_topics(own, [topic], 1)
    backlog = Backlog("test", own, LIMIT, interval=0.05)
    async with pool.acquire() as conn:
        database = await conn.fetchval("select current_database()")
    backlog.start(own.dsn_for(database))  # on a thread of its own, as the API samples
    producer = event_producer(own)
    await producer.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service_app(store, backlog)),
                                     base_url="http://x") as c:
            assert (await c.post("/notes/a")).status_code == 200
            await until(lambda: backlog.seconds > LIMIT)  # no relay: the event waits in the log

            started = time.perf_counter()
            refused = await c.post("/notes/b")
            assert time.perf_counter() - started < 0.5
            assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 1
            [item] = refused.json()["detail"]
            assert item["type"] == "overloaded" and item["ctx"]["backlog_seconds"] >= LIMIT
            assert "统计数据落后" in item["msg"] and "behind the commands accepted" in item["msg"]
            assert (await c.get("/notes")).status_code == 200  # reads are served all along
            async with pool.acquire() as conn:
                assert await conn.fetchval("select count(*) from es.events") == 1  # b changed nothing

            relay = OutboxRelay(Publisher(pool, producer, source="test", topic=topic))
            while await relay.drain() == 0:
                await asyncio.sleep(0.02)
            await until(lambda: backlog.seconds <= LIMIT)
            assert (await c.post("/notes/b")).status_code == 200
    finally:
        await backlog.stop()
        await producer.stop()


async def commit(consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
    await consumer.commit({tp: OffsetAndMetadata(offset, "")})


async def test_commands_wait_while_a_running_figure_reader_is_behind(own):
    topic = own.topic("registry")
    await ensure_topics(own, [topic], 1)
    tp = TopicPartition(topic, 0)
    producer = event_producer(own)
    await producer.start()
    sent = int(time.time() * 1000) - 120_000  # accepted two minutes ago
    try:
        for i in range(3):
            await producer.send_and_wait(topic, value=b"x", timestamp_ms=sent + i)
    finally:
        await producer.stop()
    backlog = Backlog("registry", own, LIMIT)
    group = app_id("publicity", own.topic_prefix)

    async with ConsumerLag(own) as lag:
        stopped = AIOKafkaConsumer(**client_options(own), group_id=group, enable_auto_commit=False)
        await stopped.start()
        stopped.assign([tp])
        await commit(stopped, tp, 0)
        await stopped.stop()
        # Its offsets stand still because nothing runs: monitoring's alert, not a reason to refuse.
        assert not await lag.running(group)
        assert await backlog.unconsumed(lag) == 0

        reader = AIOKafkaConsumer(topic, **client_options(own), group_id=group, enable_auto_commit=False,
                                  auto_offset_reset="earliest")
        await reader.start()
        try:
            while not reader.assignment():
                await reader.getmany(timeout_ms=200)
            await commit(reader, tp, 0)  # running, and has consumed none of the three
            assert await lag.running(group)
            behind = await backlog.unconsumed(lag)
            assert behind >= 119
            backlog.seconds = behind
            assert backlog.retry_after() == 60  # about what the backlog holds, at most a minute

            await commit(reader, tp, 3)  # caught up
            assert await backlog.unconsumed(lag) == 0
        finally:
            await reader.stop()
