"""The service's own log as the compute route sees it (``shared.eventstore.cursor``): the events
it committed count at once, before the relay has sequenced them; the sequenced position only
once it has."""

from __future__ import annotations

from decimal import Decimal

from shared.eventstore import cursor

from services.assessment.domain.incomes import ReportCityIncome
from services.assessment.handlers import catalogue, incomes
from tests.integration.assessment.api import world_fixture

world = world_fixture("acu")


async def test_committed_events_count_before_the_relay_sequences_them(world):
    await world.command(catalogue.seed_catalogue)
    city = ReportCityIncome(year=2022, per_capita_income=Decimal("29000"), growth_pct=Decimal("6"))
    await world.command(lambda uow: incomes.report_city_income(uow, city))
    async with world.pool.acquire() as conn:
        assert (await cursor.sequenced(conn), await cursor.committed(conn)) == (0, 2)
    await world.sync()
    async with world.pool.acquire() as conn:
        assert (await cursor.sequenced(conn), await cursor.committed(conn)) == (2, 2)
