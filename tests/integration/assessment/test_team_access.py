"""The team that may report for a village is the one registry assigned to it — known from
registry's events through the service's own projection, and no longer once unassigned."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.registry import TeamUnassigned
from shared.eventstore.errors import DomainError, Forbidden
from shared.http.auth import Principal, Role
from tests.support.db import dispose, fresh_store_pool

from services.assessment.adapters.schema import CHAIN
from services.assessment.domain.coverage import RegisterPerson
from services.assessment.domain.projects import PlanProject, ReportMilestone
from services.assessment.handlers import catalogue, coverage, projects
from tests.integration.assessment.scenario import TEAM1, TEAM2, V1, villages_and_teams
from tests.integration.assessment.world import World

OFFICIAL_120119 = Principal(subject="sun", role=Role.district_official, district="120119")
OFFICIAL_120110 = Principal(subject="qian", role=Role.district_official, district="120110")


@pytest.fixture
async def world(settings):
    name, pool = await fresh_store_pool(settings, "aacc", chain=CHAIN)
    world = await World(pool).setup()
    await villages_and_teams(world)
    await world.command(catalogue.seed_catalogue)
    await world.sync()
    yield world
    await dispose(settings, name, pool)


def plan(project_id: str, village: str = V1) -> PlanProject:
    return PlanProject.model_validate({
        "project_id": project_id, "village_code": village, "task_no": 4, "title": "村道硬化",
        "planned_start": "2022-03-01", "planned_end": "2022-10-31",
        "milestones": [{"milestone_id": "m1", "title": "完工", "due_on": "2022-10-31"}]})


async def test_the_villages_own_team_and_district_plan_projects_others_do_not(world):
    done = await world.command(lambda uow: projects.plan_project(uow, plan("P-A"), TEAM1), principal=TEAM1)
    assert (done["district"], done["action_code"]) == ("120119", "ecology")
    await world.command(lambda uow: projects.plan_project(uow, plan("P-B"), OFFICIAL_120119))
    with pytest.raises(Forbidden):
        await world.command(lambda uow: projects.plan_project(uow, plan("P-C"), TEAM2))
    with pytest.raises(Forbidden):
        await world.command(lambda uow: projects.plan_project(uow, plan("P-D"), OFFICIAL_120110))
    with pytest.raises(DomainError) as unknown:
        await world.command(lambda uow: projects.plan_project(uow, plan("P-E", "120119009999"), TEAM1))
    assert unknown.value.field == "village_code"
    assert await world.store.read_stream(None, "project-P-C") == []


async def test_an_unassigned_team_may_no_longer_report(world):
    await world.command(lambda uow: projects.plan_project(uow, plan("P-A"), TEAM1))
    evidence = ReportMilestone(evidence_text="完工", evidence_sha256=[])
    with pytest.raises(Forbidden):  # district officials plan, but only the team reports
        await world.command(lambda uow: projects.report_milestone(uow, evidence, OFFICIAL_120119, project_id="P-A",
                                                                          milestone_id="m1"))
    await world.foreign("registry", TeamUnassigned(team_id="T-1", village_code=V1, district="120119",
                                                   reason="调整"), date(2022, 5, 1))
    with pytest.raises(Forbidden):
        await world.command(lambda uow: projects.report_milestone(uow, evidence, TEAM1, project_id="P-A",
                                                                  milestone_id="m1"))
    with pytest.raises(Forbidden):
        await world.command(lambda uow: coverage.register_person(
            uow, RegisterPerson(person_id="P-0001", household_id="H-01", village_code=V1), TEAM1))
