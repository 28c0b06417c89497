"""A business day is closed only once monitoring's watch has read the facts already on the
topics when the close arrived (entrypoints/facts_read.py), against the real Kafka and
PostgreSQL: a fact on funding's topic the watch has not applied makes the close answer 503
with Retry-After and close nothing; once the watch applies it, the same close goes through,
and a close waiting meanwhile goes through as soon as it is applied."""

from __future__ import annotations

import asyncio
import secrets
from datetime import date

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI

from shared.config import get_settings
from shared.http.auth import Principal, Role, issue_token
from shared.http.errors import install_error_handlers
from shared.messaging.credentials import client_options
from shared.messaging.kafka import encode, ensure_topics, event_producer
from shared.projections import Delivery, ProjectionRunner

from services.monitoring.adapters.watch_reach import FACT_SOURCES
from services.monitoring.entrypoints.routes import days
from services.monitoring.projections import PROJECTIONS
from tests.integration.monitoring.conftest import noon



def city() -> dict[str, str]:
    """The city office's token, as the app verifies it (``get_settings()``, this session's)."""
    return {"Authorization": f"Bearer {issue_token(get_settings(), Principal(subject='city', role=Role.city_office))}"}


@pytest.fixture
def own(settings):
    """Topics of this test's own: only its records are on them."""
    return settings.model_copy(update={"topic_prefix": f"{settings.topic_prefix}days{secrets.token_hex(2)}.",
                                       "day_close_wait_seconds": 0.5})


def days_app(store, settings) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(days.router)
    app.state.store, app.state.settings = store, settings
    return app


async def closed(m) -> list[str]:
    return [r["day"] for r in await m.fetch(
        "select payload->>'day' as day from es.events where type = 'BusinessDayClosed' order by id")]


async def test_a_day_is_closed_only_once_the_watch_has_read_the_facts_recorded_before_it(monitoring, own):
    m = monitoring
    topic = own.topic("funding")
    await ensure_topics(own, [own.topic(s) for s in FACT_SOURCES], 2)
    village = await m.village(date(2022, 1, 1))  # through the harness: not on this test's topics
    event, _ = m.record("funding", "FundsAllocated", {
        "allocation_id": "a-1", "line_id": "l-1", "source": "city_special", "fiscal_year": 2022,
        "village_code": village, "district": village[:6], "amount_fen": 1_000_000}, "allocation-a-1",
        noon(date(2022, 1, 10)))
    producer = event_producer(own)
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, encode(event), key=b"allocation-a-1")
    finally:
        await producer.stop()
    watch = next(p for p in PROJECTIONS if p.name == "watch")
    runner = ProjectionRunner(m.pool, watch, {s: own.topic(s) for s in watch.sources})

    who, app = city(), days_app(m.store, own)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://monitoring",
                                 timeout=30) as c:
        refused = await c.post("/days/2022-01-10/close", headers=who)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "1"
        [item] = refused.json()["detail"]
        assert item["type"] == "FactsUnread" and item["ctx"]["unread"] == "1"
        assert item["msg"].startswith("监测尚未读完") and "no business day closed" in item["msg"]
        through = await c.post("/days/close-through", headers=who,
                               json={"through": "2022-01-12", "first": "2022-01-10"})
        assert through.status_code == 503, through.text
        assert await closed(m) == []

        # The watch reads the record from the broker, as its worker would, while a close waits.
        waiting = own.model_copy(update={"day_close_wait_seconds": 30.0})
        app.state.settings = waiting
        close = asyncio.create_task(c.post("/days/2022-01-10/close", headers=who))
        await asyncio.sleep(0.5)
        assert not close.done()
        consumer = AIOKafkaConsumer(**client_options(own), enable_auto_commit=False, isolation_level="read_committed")
        await consumer.start()
        try:
            tp = TopicPartition(topic, sent.partition)
            consumer.assign([tp])
            consumer.seek(tp, sent.offset)
            [record] = (await consumer.getmany(tp, timeout_ms=5000, max_records=1))[tp]
        finally:
            await consumer.stop()
        await runner.apply_batch([Delivery(topic, record.partition, record.offset, record.value, {})])
        done = await asyncio.wait_for(close, 10)
        assert done.status_code == 201, done.text
        assert await closed(m) == ["2022-01-10"]
        app.state.settings = own
        through = await c.post("/days/close-through", headers=who, json={"through": "2022-01-12"})
        assert through.status_code == 201, through.text
        assert await closed(m) == ["2022-01-10", "2022-01-11", "2022-01-12"]
    await app.state.end_offsets.close()
