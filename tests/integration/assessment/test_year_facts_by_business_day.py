"""What a year's facts hold is decided by business days, not by the order events reached the
log: a project planned after the assessment date does not bring its milestones in, a cadre
who joined after the year ended owes no presence in it, and a back-dated assignment takes
its place by its day."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.registry import TeamAssigned, TeamMembersChanged, TeamUnassigned, WorkTeamFormed

from services.assessment.adapters import facts
from services.assessment.adapters.directory import PgDirectory
from services.assessment.domain.projects import PlanProject
from services.assessment.handlers import projects
from tests.integration.assessment.scenario import TEAM1, V1, V2, year_2022
from tests.integration.assessment.world import World, fresh_world

AS_OF = date(2023, 1, 31)


@pytest.fixture
async def world(settings):
    async with fresh_world(settings, "abd", year_2022) as world:
        yield world


async def year(world: World, as_of: date = AS_OF):
    async with world.pool.acquire() as conn:
        return await facts.load_year(conn, 2022, as_of, await facts.watermarks(conn))


async def test_a_project_planned_after_the_assessment_date_brings_no_milestones(world):
    late = PlanProject.model_validate({
        "project_id": "P-LATE", "village_code": V1, "task_no": 4, "title": "村道补记", "planned_start": "2022-06-01",
        "planned_end": "2022-12-31", "milestones": [{"milestone_id": "m1", "title": "完工", "due_on": "2022-11-30"}]})
    await world.command(lambda uow: projects.plan_project(uow, late, TEAM1), principal=TEAM1, day=date(2023, 2, 5))
    await world.sync()
    on_the_day = (await year(world)).villages[V1].milestones
    assert sorted(due for due, _ in on_the_day) == [date(2022, 3, 31), date(2022, 9, 30)]  # P-1's two only
    once_planned = (await year(world, date(2023, 2, 5))).villages[V1].milestones
    assert date(2022, 11, 30) in [due for due, _ in once_planned]


async def test_a_member_who_joined_after_the_year_owes_no_presence_in_it(world):
    for team, cadre, day in (("T-1", "c9", date(2023, 1, 10)), ("T-2", "c8", date(2022, 12, 20))):
        await world.foreign("registry", TeamMembersChanged(team_id=team, added=[cadre], removed=[],
                                                           first_secretary_id="c1"), day)
    teams = (await year(world)).teams
    assert teams["T-1"].members == 2  # c1, c2: c9 came in 2023
    assert teams["T-2"].members == 2  # c3 and c8, who joined within the year


async def back_dated_assignments(world: World) -> None:
    """Two teams of village two whose last event in the log is not their last by business day."""
    for team in ("T-3", "T-4"):
        await world.foreign("registry", WorkTeamFormed(team_id=team, lead_unit_id="U-2", partner_unit_ids=[],
                                                       member_ids=[f"{team}-c"], first_secretary_id=f"{team}-c",
                                                       district="120119"), date(2021, 5, 1))

    async def assigned(team: str, day: date, on: bool = True) -> None:
        event = (TeamAssigned(team_id=team, lead_unit_id="U-2", village_code=V2, district="120119", reason="对接")
                 if on else TeamUnassigned(team_id=team, village_code=V2, district="120119", reason="调整"))
        await world.foreign("registry", event, day)

    # T-3: assigned, reassigned in October, and the August unassignment recorded last (back-dated).
    await assigned("T-3", date(2021, 6, 1))
    await assigned("T-3", date(2021, 10, 1))
    await assigned("T-3", date(2021, 8, 1), on=False)
    # T-4: assigned in June, unassigned in November, and a March assignment recorded last.
    await assigned("T-4", date(2021, 6, 1))
    await assigned("T-4", date(2021, 11, 1), on=False)
    await assigned("T-4", date(2021, 3, 1))


async def test_whether_a_team_served_when_the_year_began_follows_the_days_of_its_assignments(world):
    await back_dated_assignments(world)
    teams = (await year(world)).teams
    assert teams["T-3"].villages == (V2,)  # served since October 2021
    assert teams["T-4"].villages == ()  # gone since November 2021


async def test_the_villages_a_team_serves_now_follow_the_days_of_its_assignments(world):
    """What a unit or first secretary reads (their teams' villages now) is decided the same way."""
    await back_dated_assignments(world)
    async with world.pool.acquire() as conn:
        assert await PgDirectory(conn).villages_served(["T-3"]) == [V2]  # its last event in the log: unassigned
        assert await PgDirectory(conn).villages_served(["T-4"]) == []  # its last event in the log: assigned
        assert await PgDirectory(conn).villages_served(["T-1", "T-3", "T-4"]) == [V1, V2]
