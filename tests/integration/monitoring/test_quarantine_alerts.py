"""A record held aside by another service's projection, announced on its quarantine topic on
the real broker, raises ``ops.quarantined_event`` once; the operator's retry, announced on the
same topic, clears it."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from uuid import uuid4

from shared.eventstore import RecordedEvent
from shared.messaging.kafka import encode, ensure_declared_topics
from shared.messaging.quarantine_notice import QuarantineNotice, announce_decision
from shared.projections import Delivery, ProjectionRunner
from shared.worker import ServiceResources

from services.funding.adapters.schema import CHAIN as FUNDING_CHAIN
from services.monitoring.adapters.quarantine_feed import QuarantineFeed
from tests.integration.monitoring.conftest import MonitoringHarness


class Broken:
    name = "ledger"


def poison() -> Delivery:
    now = datetime.now(UTC)
    event = RecordedEvent(event_id=uuid4(), type="FundsAllocated", schema_version=1, source="funding",
                          stream_id="allocation-x", stream_version=1, global_position=8, occurred_at=now,
                          recorded_at=now, correlation_id=uuid4(), actor="test", payload={"bad": True})
    return Delivery("funding.events", 0, 7, encode(event), {})


async def until(m: MonitoringHarness, state: str, timeout: float = 30) -> list[dict]:
    async def poll():
        while True:
            await m.sync()
            alerts = await m.alerts("ops.quarantined_event")
            if alerts and alerts[-1]["state"] == state:
                return alerts
            await asyncio.sleep(0.1)
    return await asyncio.wait_for(poll(), timeout)


async def test_a_quarantined_record_raises_an_operations_alert_until_it_is_retried(monitoring, settings):
    m = monitoring
    own = settings.model_copy(update={"topic_prefix": f"{settings.topic_prefix}mq{secrets.token_hex(2)}."})
    funding = ServiceResources("funding", own, [], FUNDING_CHAIN)
    await ensure_declared_topics(own, funding.topics)
    feed = QuarantineFeed(m.pool, own, services=["funding"])
    stopping = asyncio.Event()
    reading = asyncio.create_task(feed.run(stopping))
    try:
        held = poison()
        runner = ProjectionRunner(m.pool, Broken(), {})  # type: ignore[arg-type]
        await funding.announce_quarantined(runner, held, ValueError("cannot apply"))
        await funding.announce_quarantined(runner, held, ValueError("cannot apply"))  # said twice: one alert
        [alert] = await until(m, "open")
        assert (alert["subject_kind"], alert["subject_id"], alert["district"], alert["audience"]) == (
            "projection", "funding/ledger@funding.events:0:7", None, ["operations"])
        assert alert["figures"] == {"service": "funding", "projection": "ledger", "topic": "funding.events",
                                    "partition": 0, "offset": 7}
        await announce_decision(own, own.quarantine_topic("funding"), held.value,
                                QuarantineNotice("ledger", "funding.events", 0, 7, "retried", "ops"))
        [alert] = await until(m, "resolved")
        assert alert["resolved_how"] == "cleared"
    finally:
        stopping.set()
        await reading
        await funding._announcer.stop()  # noqa: SLF001
    assert [t for _, t in await m.alert_events()] == ["AlertRaised", "AlertResolved"]
