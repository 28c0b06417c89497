"""A funding database of its own per test, with its projections, fed real events.

Registry's and assessment's events are delivered to funding's projections as the worker
would deliver them from Kafka (encoded records through the ProjectionRunner); funding's
own log is sequenced by the real relay code and fed to its ledger the same way.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime
from typing import Any
from uuid import uuid4

import pytest

from shared.eventstore import CommandMeta
from shared.messaging.kafka import encode
from shared.projections import Delivery
from services.funding.adapters.schema import CHAIN
from services.funding.domain.access import FinanceScope
from services.funding.projections import PROJECTIONS
from tests.support.db import dispose, fresh_store_pool, sequence_all
from tests.support.harness import ProjectionHarness

CITY = FinanceScope("city-finance", None)
_codes = itertools.count(random.randrange(100_000, 800_000))


class FundingHarness(ProjectionHarness):
    def __init__(self, pool):
        super().__init__(pool, "funding", PROJECTIONS)
        self.ledger_position = 0
        self.at: datetime | None = None  # the business time commands record (X-Occurred-At)


    async def run(self, handler, *, body: Any = None, key: str | None = None, actor: str = "finance_officer:alice",
                  occurred_at: datetime | None = None) -> dict:
        meta = CommandMeta(actor=actor, occurred_at=occurred_at or self.at)
        done = await self.store.execute("Test", body if body is not None else {"n": str(uuid4())}, meta, handler, key)
        return done.result

    def delivery(self, source: str, event_type: str, payload: dict, stream_id: str) -> Delivery:
        """Another service's event as the next Kafka record of its topic, not yet applied."""
        return self.record(source, event_type, payload, stream_id)[1]

    async def deliver(self, source: str, event_type: str, payload: dict, stream_id: str) -> Delivery:
        """Deliver another service's event to every funding projection reading its topic."""
        delivery = self.delivery(source, event_type, payload, stream_id)
        await self.redeliver(delivery)
        return delivery

    async def village(self, district: str = "120119", village_type: str = "tourism", designated: bool = True) -> str:
        code = f"{district}{next(_codes):06d}"
        await self.deliver("registry", "VillageRegistered", {
            "code": code, "name": f"村{code[-4:]}", "district": district, "town": "测试镇", "village_type": village_type,
            "income_fen": {"2018": 1, "2019": 1, "2020": 1}}, f"village-{code}")
        if designated:
            await self.deliver("registry", "VillageDesignated", {
                "code": code, "district": district, "run_id": "run-1", "rank": 1, "average_fen": 1}, f"village-{code}")
        return code

    async def revoke(self, code: str) -> None:
        await self.deliver("registry", "DesignationRevoked", {
            "code": code, "district": code[:6], "run_id": None, "reason": "test"}, f"village-{code}")

    def verification(self, project_id: str, milestone_id: str, village_code: str,
                     on: date = date(2022, 6, 1)) -> Delivery:
        """assessment's MilestoneVerified as a record, for a batch of several (see ``verify``)."""
        return self.delivery("assessment", "MilestoneVerified", {
            "project_id": project_id, "milestone_id": milestone_id, "village_code": village_code,
            "district": village_code[:6], "task_no": 1, "verified_on": on.isoformat()}, f"project-{project_id}")

    async def verify(self, project_id: str, milestone_id: str, village_code: str,
                     on: date = date(2022, 6, 1)) -> Delivery:
        delivery = self.verification(project_id, milestone_id, village_code, on)
        await self.redeliver(delivery)
        return delivery

    async def sync_ledger(self) -> None:
        """Sequence funding's log as the relay does and feed it to the ledger in order."""
        await sequence_all(self.pool)
        events = await self.store.read_all(after=self.ledger_position, limit=100_000)
        if events:
            deliveries = [Delivery("funding.events", 0, e.global_position - 1, encode(e), {}) for e in events]
            await self.runners["ledger"].apply_batch(deliveries)
            self.ledger_position = events[-1].global_position

    async def events(self, stream_prefix: str = "") -> list[str]:
        async with self.pool.acquire() as conn:
            rows = await conn.fetch("select type from es.events where stream_id like $1 order by id", stream_prefix + "%")
        return [r["type"] for r in rows]


@pytest.fixture
async def funding(settings):
    name, pool = await fresh_store_pool(settings, "funding", max_size=60, chain=CHAIN)
    harness = FundingHarness(pool)
    harness.dsn = settings.dsn_for(name)
    yield harness
    await dispose(settings, name, pool)
