"""How far behind its topics each service's worker is, in seconds, sampled from the broker
(shared/messaging/consumer_lag.py). More than the rule's ``seconds`` raises
``ops.projection_lag`` for the service; a sample back under it clears the alert.

The one rule measured on the wall clock, honestly: lag is a fact about the running system at
a moment, not about the programme, so no business day or event can stand for it. What
comes of it is recorded as events (raised, cleared, each a command with an idempotency key
per episode, its day the sample's Beijing day), so a replay or a rebuild reads the alerts
as they were said and never derives them again — as with a paused webhook subscription.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import asyncpg
import structlog

from shared.config import SERVICES, Settings
from shared.eventstore import CommandMeta, EventStore, UnitOfWork
from shared.messaging.acls import app_id
from shared.messaging.consumer_lag import ConsumerLag

from services.monitoring.domain.calendar import business_day
from services.monitoring.domain.conditions import threshold
from services.monitoring.domain.rules import CATALOGUE, Rule, first_version, in_force
from services.monitoring.handlers.operations import clear_operations_alert, raise_operations_alert

log = structlog.get_logger("xingcun.monitoring.lag")
RULE = "ops.projection_lag"


class LagWatch:
    def __init__(self, pool: asyncpg.Pool, settings: Settings, services: Sequence[str] = SERVICES,
                 interval: float = 15.0, clock: Callable[[], float] = time.time):
        self.pool = pool
        self.store = EventStore(pool, "monitoring")
        self.settings = settings
        self.services = services
        self.interval = interval
        self.clock = clock
        self.meta = CommandMeta(actor="system:lag")

    async def open_episode(self, service: str) -> str | None:
        """The open lag alert's episode for the service (survives a restart: read from the board)."""
        async with self.pool.acquire() as conn:
            return await conn.fetchval(
                """select figures->>'since_ms' from monitoring.alerts where rule_id = $1 and subject_id = $2
                   and state <> 'resolved' order by raised_position desc limit 1""", RULE, service)

    async def sample(self, threshold: float) -> dict[str, float]:
        """One look at every service: raise or clear its alert. Returns the seconds behind."""
        async with ConsumerLag(self.settings, self.clock) as lag:
            out = {}
            for service in self.services:
                found = await lag.behind(app_id(service, self.settings.topic_prefix))
                seconds, since_ms = found or (0.0, None)
                out[service] = seconds
                await self._judge(service, seconds, since_ms, threshold)
            return out

    async def _judge(self, service: str, seconds: float, since_ms: int | None, threshold: float) -> None:
        on = business_day(datetime.fromtimestamp(self.clock(), UTC))
        episode = await self.open_episode(service)
        if seconds > threshold and since_ms is not None and episode is None:
            episode = str(since_ms)
            await self.store.execute(
                "RaiseOperationsAlert", {"service": service, "episode": episode}, self.meta,
                lambda uow: raise_operations_alert(uow, RULE, "projection", service, episode=episode, on=on,
                                                   figures={"seconds": int(seconds), "since_ms": episode}),
                f"{RULE}:raise:{service}:{episode}")
        elif seconds <= threshold and episode is not None:
            await self.store.execute(
                "ClearOperationsAlert", {"service": service, "episode": episode}, self.meta,
                lambda uow: clear_operations_alert(uow, RULE, "projection", service, episode=episode, on=on),
                f"{RULE}:clear:{service}:{episode}")

    async def seconds_allowed(self) -> float:
        """The rule's ``seconds`` in force today (version 1's before the seed); infinite when disabled."""
        async with self.pool.acquire() as conn:
            rule = await UnitOfWork(conn, self.store, self.meta).load(Rule, RULE)
        version = in_force(rule.versions or [first_version(CATALOGUE[RULE])],
                           business_day(datetime.fromtimestamp(self.clock(), UTC)))
        if version is None or not version.enabled:
            return float("inf")
        return float(threshold(version, "seconds"))

    async def run(self, stopping: asyncio.Event | None = None) -> None:
        while stopping is None or not stopping.is_set():
            try:
                await self.sample(await self.seconds_allowed())
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the broker away: sample again later
                log.warning("lag_sample_failed", error=repr(exc))
            await asyncio.sleep(self.interval)
