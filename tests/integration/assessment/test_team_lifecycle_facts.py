"""Assessment's facts keyed by a team's membership follow the events that end it: a dissolved
team counts in the year until its dissolution (its days, its members, their presence), a
member removed owes and earns no presence after leaving, and a dissolved team's first
secretary may no longer act for the village it served."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.registry import CadrePresenceLogged, TeamDissolved, TeamMembersChanged, TeamUnassigned
from shared.eventstore.errors import Forbidden

from services.assessment.adapters import facts
from services.assessment.domain.projects import ReportMilestone
from services.assessment.handlers import projects
from tests.integration.assessment.scenario import TEAM1, V1, presence, year_2022
from tests.integration.assessment.world import World, fresh_world

AS_OF = date(2023, 1, 31)
DISSOLVED_ON = date(2022, 7, 1)


@pytest.fixture
async def world(settings):
    async with fresh_world(settings, "atl", year_2022) as world:
        yield world


async def year(world: World):
    async with world.pool.acquire() as conn:
        return await facts.load_year(conn, 2022, AS_OF, await facts.watermarks(conn))


async def dissolve_team_1(world: World) -> None:
    """As registry appends it: the team's assignments end, then the team."""
    await world.foreign("registry", TeamUnassigned(team_id="T-1", village_code=V1, district="120119",
                                                   reason="工作队撤销"), DISSOLVED_ON)
    await world.foreign("registry", TeamDissolved(
        team_id="T-1", district="120119", lead_unit_id="U-1", partner_unit_ids=[], member_ids=["c1", "c2"],
        first_secretary_id="c1", villages=[V1], dissolved_on=DISSOLVED_ON, reason="任务调整"), DISSOLVED_ON)


async def test_a_dissolved_team_counts_until_its_dissolution(world):
    before = (await year(world)).teams["T-1"]
    assert (before.members, before.active_days, before.presence_days) == (2, 365, 30)  # June's 30 days
    # Check-ins dated after the dissolution (recorded before registry learnt of it, or late).
    await presence(world, "c1", "T-1", V1, date(2022, 8, 1), 5)
    await dissolve_team_1(world)
    t1 = (await year(world)).teams["T-1"]
    assert t1.active_days == (DISSOLVED_ON - date(2022, 1, 1)).days  # 1 January to 30 June
    assert t1.members == 2  # those who owed presence while it existed
    assert t1.presence_days == 30  # not August's: the team was gone


async def test_a_removed_member_earns_no_presence_after_leaving(world):
    await world.foreign("registry", TeamMembersChanged(team_id="T-1", added=[], removed=["c2"],
                                                       first_secretary_id="c1"), date(2022, 9, 1))
    await presence(world, "c2", "T-1", V1, date(2022, 8, 25), 10)  # 7 days a member, 3 after
    await world.foreign("registry", CadrePresenceLogged(cadre_id="c2", team_id="T-1", village_code=V1,
                                                        day=date(2022, 8, 31), togethers=["eat"]), date(2022, 8, 31))
    t1 = (await year(world)).teams["T-1"]
    assert t1.members == 1
    assert t1.presence_days == 30 + 7


async def test_a_dissolved_teams_first_secretary_may_no_longer_report(world):
    await dissolve_team_1(world)
    await world.sync()
    evidence = ReportMilestone(evidence_text="投产", evidence_sha256=[])
    with pytest.raises(Forbidden):
        await world.command(lambda uow: projects.report_milestone(uow, evidence, TEAM1, project_id="P-1",
                                                                  milestone_id="m2"),
                            principal=TEAM1, day=date(2022, 9, 1))
