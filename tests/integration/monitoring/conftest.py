"""A monitoring database of its own per test, with its projections, fed real events.

Registry's, funding's and assessment's events are delivered to the reactor as the worker
would deliver them from Kafka (encoded records through the ProjectionRunner); monitoring's
own log (day closes, alerts) is sequenced by the real relay code and fed back the same way,
until nothing new comes of it.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest

from shared.eventstore import CommandMeta, RecordedEvent
from shared.messaging.kafka import encode
from shared.projections import Delivery, ProjectionRunner

from services.monitoring.adapters.schema import CHAIN
from services.monitoring.domain.access import AlertScope
from services.monitoring.domain.calendar import CloseDay
from services.monitoring.handlers.days import close_day
from services.monitoring.handlers.rules import seed_rules
from services.monitoring.projections import PROJECTIONS
from tests.support.db import dispose, fresh_store_pool, sequence_all
from tests.support.harness import ProjectionHarness

CITY = AlertScope("city", "city_office:city", may_resolve=True)
BEIJING = timezone(timedelta(hours=8))
_ids = itertools.count(random.randrange(100_000, 800_000))


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), BEIJING)


class MonitoringHarness(ProjectionHarness):
    def __init__(self, pool):
        super().__init__(pool, "monitoring", PROJECTIONS)
        self.fed = 0  # monitoring's own log fed to the projections up to this position
        self.delivered: list[Delivery] = []  # every record of the other services, in order (for rebuilds)

    async def setup(self) -> None:
        await self.run(seed_rules, key="seed")

    def uid(self, prefix: str) -> str:
        return f"{prefix}-{next(_ids)}"

    async def run(self, handler, *, key: str | None = None, actor: str = "city_office:city",
                  on: date | None = None) -> Any:
        meta = CommandMeta(actor=actor, occurred_at=noon(on) if on else None)
        done = await self.store.execute("Test", {"n": str(uuid4())}, meta, handler, key)
        await self.sync()
        return done.result

    async def close(self, *days: date) -> None:
        for day in days:
            await self.run(lambda uow, d=day: close_day(uow, CloseDay(day=d)), on=day)

    async def close_through(self, first: date, last: date) -> None:
        day = first
        while day <= last:
            await self.close(day)
            day += timedelta(days=1)

    async def deliver(self, source: str, event_type: str, payload: dict, stream_id: str, on: date) -> RecordedEvent:
        """Another service's event, on business day ``on``, to every projection reading its topic."""
        event, delivery = self.record(source, event_type, payload, stream_id, noon(on))
        self.delivered.append(delivery)
        await self.apply(delivery)
        await self.sync()
        return event

    async def apply(self, delivery: Delivery) -> None:
        await self.redeliver(delivery)

    async def sync(self) -> None:
        """Sequence monitoring's log as the relay does and feed it to its readers, until quiet."""
        while True:
            await sequence_all(self.pool)
            events = await self.store.read_all(after=self.fed, limit=100_000)
            if not events:
                return
            for e in events:
                await self.apply(Delivery("monitoring.events", 0, e.global_position - 1, encode(e), {}))
            self.fed = events[-1].global_position

    async def rebuild(self) -> None:
        """Replay everything from offset zero into emptied tables: the board from the log, the
        reactor from the other services' records and the day closes, interleaved differently
        (every other service's record first, then monitoring's own)."""
        monitoring_log = await self.store.read_all(after=0, limit=100_000)
        own = [Delivery("monitoring.events", 0, e.global_position - 1, encode(e), {}) for e in monitoring_log]
        async with self.pool.acquire() as conn:
            for p in PROJECTIONS:
                await conn.execute(f"truncate {', '.join(p.tables)}")
                await conn.execute("delete from proj.positions where projection = $1", p.name)
        for p in PROJECTIONS:
            self.runners[p.name] = ProjectionRunner(self.pool, p, {s: f"{s}.events" for s in p.sources})
        for d in self.delivered + own:
            await self.apply(d)
        self.fed = monitoring_log[-1].global_position
        await self.sync()

    async def alerts(self, rule_id: str | None = None) -> list[dict]:
        rows = await self.fetch("select * from monitoring.alerts where $1::text is null or rule_id = $1 "
                                "order by raised_position", rule_id)
        return [dict(r) for r in rows]

    async def alert_events(self) -> list[tuple[str, str]]:
        rows = await self.fetch("select stream_id, type from es.events where stream_id like 'alert-%' order by id")
        return [(r["stream_id"], r["type"]) for r in rows]

    # -- the other services' facts, as their contracts say them ---------------------------

    async def village(self, on: date, district: str = "120119", designated: bool = True) -> str:
        code = f"{district}{next(_ids):06d}"
        await self.deliver("registry", "VillageRegistered", {
            "code": code, "name": f"村{code[-4:]}", "district": district, "town": "测试镇", "village_type": "tourism",
            "income_fen": {"2018": 1, "2019": 1, "2020": 1}}, f"village-{code}", on)
        if designated:
            await self.deliver("registry", "VillageDesignated", {
                "code": code, "district": district, "run_id": "run-1", "rank": 1, "average_fen": 1},
                f"village-{code}", on)
        return code

    async def team_in(self, village: str, members: list[str]) -> str:
        """A team formed on 2022-01-05 whose first member is its first secretary, in
        ``village`` from 2022-01-20."""
        team = self.uid("t")
        await self.deliver("registry", "WorkTeamFormed", {
            "team_id": team, "lead_unit_id": "u-1", "partner_unit_ids": [], "member_ids": members,
            "first_secretary_id": members[0], "district": village[:6]}, f"team-{team}", date(2022, 1, 5))
        await self.deliver("registry", "TeamEnteredVillage", {"team_id": team, "village_code": village,
                                                              "entered_on": "2022-01-20"}, f"team-{team}",
                           date(2022, 1, 20))
        return team


@pytest.fixture
async def monitoring(settings):
    name, pool = await fresh_store_pool(settings, "monitoring", max_size=20, chain=CHAIN)
    harness = MonitoringHarness(pool)
    await harness.setup()
    yield harness
    await dispose(settings, name, pool)
