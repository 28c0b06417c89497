"""The webhook dispatcher's pause hooks, wired to monitoring's command path: a subscription
paused after failures raises its operations alert (``ops.subscription_paused``), once per
pause episode, and resuming it clears the alert. Each is a command of its own with an
idempotency key per episode, so the dispatcher's retries of a hook have their effect once.

The business day is Beijing's date now: a pause is an operational fact, recorded as it
happens (a replay reads the recorded alert, it does not re-derive it)."""

from __future__ import annotations

import asyncpg

from shared.dates import today
from shared.eventstore import CommandMeta, EventStore

from services.monitoring.adapters.webhooks import OnPaused, OnResumed
from services.monitoring.handlers.operations import clear_operations_alert, raise_operations_alert

RULE = "ops.subscription_paused"


def subscription_hooks(pool: asyncpg.Pool) -> tuple[OnPaused, OnResumed]:
    store, meta = EventStore(pool, "monitoring"), CommandMeta(actor="system:webhooks")

    async def paused(subscription_id: str, episode: str, failures: int) -> None:
        await store.execute(
            "RaiseOperationsAlert", {"subscription_id": subscription_id, "episode": episode}, meta,
            lambda uow: raise_operations_alert(uow, RULE, "subscription", subscription_id, episode=episode,
                                               on=today(), figures={"failures": failures}),
            f"{RULE}:raise:{subscription_id}:{episode}")

    async def resumed(subscription_id: str, episode: str) -> None:
        await store.execute(
            "ClearOperationsAlert", {"subscription_id": subscription_id, "episode": episode}, meta,
            lambda uow: clear_operations_alert(uow, RULE, "subscription", subscription_id, episode=episode,
                                               on=today()),
            f"{RULE}:clear:{subscription_id}:{episode}")

    return paused, resumed
