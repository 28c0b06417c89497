"""A year in two villages, through the real handlers and projections: what the
assessment tests build on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from datetime import date, timedelta
from decimal import Decimal

from shared.contracts.registry import (
    CadrePresenceLogged,
    TeamAssigned,
    VillageDesignated,
    VillageRegistered,
    WorkTeamFormed,
)
from shared.http.auth import Principal, Role
from tests.support.db import dispose, fresh_store_pool

from services.assessment.adapters.schema import CHAIN
from services.assessment.domain.commands import VerifyMilestone
from services.assessment.domain.incomes import ReportCityIncome, ReportVillageIncome
from services.assessment.domain.projects import PlanProject, ReportMilestone
from services.assessment.domain.rubric import DefineRubric
from services.assessment.handlers import assessments, catalogue, incomes, projects
from tests.integration.assessment.world import World

V1, V2 = "120119001001", "120119001002"
TEAM1 = Principal(subject="li", role=Role.first_secretary, team="T-1")
TEAM2 = Principal(subject="zhou", role=Role.first_secretary, team="T-2")
ASSESSOR = Principal(subject="wang", role=Role.assessor)
REVIEWER = Principal(subject="zhao", role=Role.assessor)
FACTOR = Decimal(3)


async def villages_and_teams(world: World) -> None:
    for code in (V1, V2):
        await world.foreign("registry", VillageRegistered(
            code=code, name="测试村", district="120119", town="测试镇", village_type="agriculture",
            income_fen={"2018": 10_000_000, "2019": 10_000_000, "2020": 10_000_000}), date(2021, 3, 1))
        await world.foreign("registry", VillageDesignated(code=code, district="120119", run_id="r1", rank=1,
                                                          average_fen=10_000_000), date(2021, 4, 1))
    for team, members, village in (("T-1", ["c1", "c2"], V1), ("T-2", ["c3"], V2)):
        await world.foreign("registry", WorkTeamFormed(team_id=team, lead_unit_id="U-1", partner_unit_ids=[],
                                                       member_ids=members, first_secretary_id=members[0],
                                                       district="120119"), date(2021, 5, 1))
        await world.foreign("registry", TeamAssigned(team_id=team, lead_unit_id="U-1", village_code=village,
                                                     district="120119", reason="因需对接"), date(2021, 5, 2))


async def presence(world: World, cadre: str, team: str, village: str, first: date, days: int) -> None:
    for n in range(days):
        await world.foreign("registry", CadrePresenceLogged(cadre_id=cadre, team_id=team, village_code=village,
                                                            day=first + timedelta(days=n), togethers=["eat", "live"]),
                            first + timedelta(days=n))


async def year_2022(world: World) -> None:
    """Village 1 reaches 200,000 yuan and verifies one of two milestones; village 2 does not."""
    await villages_and_teams(world)
    await world.command(catalogue.seed_catalogue)
    await world.sync()
    plan = PlanProject.model_validate({
        "project_id": "P-1", "village_code": V1, "task_no": 1, "title": "食用菌大棚", "planned_start": "2022-01-01",
        "planned_end": "2022-12-31",
        "milestones": [{"milestone_id": "m1", "title": "开工", "due_on": "2022-03-31", "funding_share_pct": "40"},
                       {"milestone_id": "m2", "title": "投产", "due_on": "2022-09-30", "funding_share_pct": "60"}]})
    await world.command(lambda uow: projects.plan_project(uow, plan, TEAM1), principal=TEAM1, day=date(2022, 1, 5))
    evidence = ReportMilestone(evidence_text="主体完工", evidence_sha256=["b" * 64])
    await world.command(lambda uow: projects.report_milestone(uow, evidence, TEAM1, project_id="P-1", milestone_id="m1"),
                        principal=TEAM1, day=date(2022, 3, 20))
    await world.command(lambda uow: projects.verify_milestone(uow, VerifyMilestone(), ASSESSOR, project_id="P-1",
                                                                 milestone_id="m1"),
                        principal=ASSESSOR, day=date(2022, 3, 25))
    for code, amount, who in ((V1, "250000", TEAM1), (V2, "150000", TEAM2)):
        cmd = ReportVillageIncome(village_code=code, year=2022, collective_income=Decimal(amount))
        await world.command(lambda uow, cmd=cmd, who=who: incomes.report_village_income(uow, cmd, who, FACTOR),
                            principal=who, day=date(2023, 1, 10))
    city = ReportCityIncome(year=2022, per_capita_income=Decimal("29000"), growth_pct=Decimal("6"))
    await world.command(lambda uow: incomes.report_city_income(uow, city), day=date(2023, 1, 12))
    rubric = DefineRubric.model_validate({"dimensions": [{"code": "income_target", "weight": 50},
                                                         {"code": "task_progress", "weight": 30},
                                                         {"code": "presence", "weight": 20}],
                                          "params": {"presence_days_per_year": 30}})
    await world.command(lambda uow: assessments.define_rubric(uow, rubric, year=2022))
    await presence(world, "c1", "T-1", V1, date(2022, 6, 1), 30)
    await world.sync()


V9 = "120110001001"  # in another district, served by T-9 of unit U-9
TEAM9 = Principal(subject="qin", role=Role.first_secretary, team="T-9")


async def another_district(world: World) -> None:
    await world.foreign("registry", VillageRegistered(
        code=V9, name="邻区村", district="120110", town="邻区镇", village_type="agriculture",
        income_fen={"2018": 10_000_000, "2019": 10_000_000, "2020": 10_000_000}), date(2021, 3, 1))
    await world.foreign("registry", VillageDesignated(code=V9, district="120110", run_id="r1", rank=2,
                                                      average_fen=10_000_000), date(2021, 4, 1))
    await world.foreign("registry", WorkTeamFormed(team_id="T-9", lead_unit_id="U-9", partner_unit_ids=[],
                                                   member_ids=["c9"], first_secretary_id="c9", district="120110"),
                        date(2021, 5, 1))
    await world.foreign("registry", TeamAssigned(team_id="T-9", lead_unit_id="U-9", village_code=V9,
                                                 district="120110", reason="因需对接"), date(2021, 5, 2))


@asynccontextmanager
async def world_of_2022(settings, prefix: str) -> AsyncIterator[World]:
    """A fresh store with ``year_2022`` in it, dropped afterwards."""
    name, pool = await fresh_store_pool(settings, prefix, chain=CHAIN)
    world = await World(pool).setup()
    await year_2022(world)
    yield world
    await dispose(settings, name, pool)
