"""The commands that read the whole register — a screening run, a matching proposal, a month's
allowances — through the handlers without PostgreSQL: the event log's twin reads the unit of
work's own streams, so what earlier commands recorded is what the next one decides on."""

from __future__ import annotations

from datetime import date

from shared.contracts.registry import AllowanceComputed, ScreeningCompleted, TeamUnassigned

from services.registry import handlers
from services.registry.domain.cadres import RecordTraining
from services.registry.domain.commands import RegisterVillage
from services.registry.domain.presence import ComputeAllowances, LogPresence
from services.registry.domain.proposals import AcceptProposal, ProposeMatching
from services.registry.domain.screening import RunScreening
from services.registry.domain.teams import AssignVillage, EnterVillage, FormTeam
from services.registry.handlers.access import SYSTEM
from tests.support.villages import village_body
from tests.unit.registry.handlers.support import DISTRICT, network, unit_of_work


async def registered(uow, n: int) -> list[str]:
    """``n`` villages of the district registered (not designated), poorest first."""
    codes = []
    for i in range(n):
        body = village_body(DISTRICT, income_2018=1000 * (i + 1), income_2019=1000 * (i + 1),
                            income_2020=1000 * (i + 1))
        await handlers.register_village(uow, RegisterVillage.model_validate(body), SYSTEM)
        codes.append(body["code"])
    return codes


async def test_a_run_designates_the_bottom_n_and_the_next_one_revokes_and_unassigns():
    uow, twins = unit_of_work()
    await network(uow, villages=0)
    codes = await registered(uow, 3)
    first = await handlers.run_screening(uow, RunScreening(run_id="r1", quota=2), 800)
    assert (first["designated"], first["added"], first["supersedes"]) == (2, codes[:2], None)
    assert twins.lock.taken == ["exclusive"]
    await handlers.form_team(uow, FormTeam(team_id="t1", district=DISTRICT, lead_unit_id="u1", member_ids=["c1"],
                                           first_secretary_id="c1"), SYSTEM)
    await handlers.assign_village(uow, AssignVillage(village_code=codes[1]), SYSTEM, team_id="t1")

    second = await handlers.run_screening(uow, RunScreening(run_id="r2", quota=1, supersedes="r1"), 800)
    assert (second["supersedes"], second["removed"], second["teams_unassigned"]) == ("r1", [codes[1]], [codes[1]])
    assert twins.tables.villages == {}
    assert isinstance(uow.events[-1], TeamUnassigned) and uow.events[-1].village_code == codes[1]
    assert [e.run_id for e in uow.events if isinstance(e, ScreeningCompleted)] == ["r1", "r2"]


async def test_a_proposal_pairs_teams_with_room_and_unserved_villages_then_is_accepted():
    uow, twins = unit_of_work()
    codes = await network(uow, villages=2)
    await handlers.form_team(uow, FormTeam(team_id="t1", district=DISTRICT, lead_unit_id="u1", member_ids=["c1"],
                                           first_secretary_id="c1"), SYSTEM)
    await handlers.assign_village(uow, AssignVillage(village_code=codes[0]), SYSTEM, team_id="t1")
    proposed = await handlers.propose_matching(uow, ProposeMatching(proposal_id="p1", districts=[DISTRICT]), SYSTEM)
    assert [(p["team_id"], p["village_code"]) for p in proposed["pairs"]] == [("t1", codes[1])]
    accepted = await handlers.accept_proposal(uow, AcceptProposal(), SYSTEM, proposal_id="p1")
    assert accepted["assigned"] == [{"team_id": "t1", "village_code": codes[1]}] and accepted["pending"] == 0
    assert twins.tables.villages == {codes[0]: ("t1", DISTRICT), codes[1]: ("t1", DISTRICT)}


async def test_a_months_allowance_counts_each_cadres_days_at_the_configured_rate():
    uow, _ = unit_of_work()
    codes = await network(uow, villages=1)
    await handlers.form_team(uow, FormTeam(team_id="t1", district=DISTRICT, lead_unit_id="u1", member_ids=["c1", "c2"],
                                           first_secretary_id="c1"), SYSTEM)
    await handlers.record_training(uow, RecordTraining(course="第一书记集中培训", completed_on=date(2021, 3, 1)), SYSTEM,
                                   cadre_id="c1")
    await handlers.assign_village(uow, AssignVillage(village_code=codes[0]), SYSTEM, team_id="t1")
    await handlers.enter_village(uow, EnterVillage(entered_on=date(2021, 4, 1)), SYSTEM, team_id="t1", code=codes[0])
    entries = [{"cadre_id": c, "village_code": codes[0], "day": date(2021, 4, d), "togethers": ["eat"]}
               for c, days in (("c1", (2, 3, 4)), ("c2", (5,))) for d in days]
    await handlers.log_presence(uow, LogPresence.model_validate({"entries": entries}), SYSTEM)
    done = await handlers.compute_allowances(uow, ComputeAllowances(month="2021-04"), 100_00)
    assert (done["changed"], done["total_fen"], done["daily_rate_fen"]) == (2, 400_00, 100_00)
    computed = {e.cadre_id: (e.presence_days, e.amount_fen) for e in uow.events if isinstance(e, AllowanceComputed)}
    assert computed == {"c1": (3, 300_00), "c2": (1, 100_00)}
