"""A subscription paused by a receiver that keeps failing raises the operations alert
through monitoring's command path, once per pause; resuming clears it."""

from __future__ import annotations

import asyncio

import pytest

from services.monitoring.adapters import subscriptions as repo
from services.monitoring.adapters.webhooks import WebhookDispatcher
from services.monitoring.domain.webhooks import Backoff
from tests.integration.monitoring.delivery.test_webhooks import drain, subscribe

# The operations alert is raised by the core's handler (services/monitoring/handlers/operations.py):
# this runs once both halves of the service are merged.
pytest.importorskip("services.monitoring.handlers.operations", reason="needs monitoring's command handlers "
                                                                      "(the core's half)")
from services.monitoring.entrypoints import webhook_hooks as hooks  # noqa: E402  (after the skip)


async def test_a_paused_subscription_raises_and_then_clears_its_operations_alert(db, alerts, receiver):
    receiver.fail_always = True
    sid = await subscribe(db, receiver.url)
    await alerts.raise_()
    paused, resumed = hooks.subscription_hooks(db)
    dispatcher = WebhookDispatcher(db, max_failures=2, backoff=Backoff(base=0.01, cap=0.02),
                                   on_paused=paused, on_resumed=resumed)

    async def ops() -> list[tuple[str, str]]:
        async with db.acquire() as conn:
            return [(r["type"], r["payload"]) for r in await conn.fetch(
                "select type, payload->>'subject_id' as payload from es.events "
                "where payload->>'rule_id' = 'ops.subscription_paused' or type = 'AlertResolved' order by id")]

    await drain(dispatcher, lambda: len(receiver.requests) >= 2)
    await dispatcher.tick()
    await dispatcher.tick()
    assert await ops() == [("AlertRaised", str(sid))]
    receiver.fail_always = False
    async with db.acquire() as conn:
        await repo.set_state(conn, sid, paused=False, reason=None)
    await dispatcher.tick()
    await asyncio.sleep(0.05)
    assert [t for t, _ in await ops()] == ["AlertRaised", "AlertResolved"]
