"""动态管理 of the network: a team dissolved, rotated to other villages, its first secretary
replaced — each freeing what it held, each refused (and writing nothing) when not allowed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared.eventstore import CommandMeta
from shared.eventstore.errors import Conflict, DomainError, Forbidden

from services.registry import handlers
from services.registry.domain.cadres import RecordTraining
from services.registry.domain import teams
from services.registry.queries import eventlog
from services.registry.queries import network as network_queries
from tests.integration.registry.conftest import CITY, count_events, official, run
from tests.integration.registry.network import cadre, designated_villages, resident_team, team, unit
from tests.support.registry import uid

JULY = CommandMeta(actor="test", occurred_at=datetime(2021, 7, 1, 12, tzinfo=UTC))


async def form(store, lead: str, partners: list[str] = ()) -> str:
    team_id = uid("team")
    member = await cadre(store, lead)
    await run(store, handlers.form_team, teams.FormTeam(team_id=team_id, district="120119", lead_unit_id=lead,
                                                        partner_unit_ids=list(partners), member_ids=[member],
                                                        first_secretary_id=member), CITY)
    return team_id


async def constraint_rows(store, team_id: str) -> dict[str, int]:
    async with store.pool.acquire() as conn:
        return {table: await conn.fetchval(f"select count(*) from registry.{table} where team_id = $1", team_id)
                for table in ("unit_team", "cadre_team", "village_team")}


async def test_dissolving_a_team_frees_its_units_place_its_cadres_and_its_villages(store):
    [code] = await designated_villages(store, 1)
    lead = await unit(store, ["agriculture"])
    t = await team(store, lead=lead)
    other = await form(store, lead)  # the unit's second team: no third
    with pytest.raises(Conflict):
        await form(store, lead)
    await run(store, handlers.assign_village, teams.AssignVillage(village_code=code), CITY, team_id=t["team_id"])
    await run(store, handlers.enter_village, teams.EnterVillage(entered_on=date(2021, 6, 1)), CITY,
              team_id=t["team_id"], code=code)

    result = await run(store, handlers.dissolve_team, teams.DissolveTeam(reason="任务调整"), CITY, team_id=t["team_id"],
                       meta=JULY)
    assert result["villages_released"] == [code] and set(result["members_released"]) == {t["secretary"], t["member"]}
    assert await constraint_rows(store, t["team_id"]) == {"unit_team": 0, "cadre_team": 0, "village_team": 0}
    *_, unassigned, dissolved = await store.read_stream(None, f"team-{t['team_id']}")
    assert (unassigned.type, unassigned.payload["village_code"]) == ("TeamUnassigned", code)
    assert dissolved.type == "TeamDissolved" and dissolved.payload["dissolved_on"] == "2021-07-01"
    assert dissolved.payload["lead_unit_id"] == lead and dissolved.payload["villages"] == [code]

    # The 1–2 teams per unit rule counts teams that exist: the unit may send another.
    third = await form(store, lead)
    # Its cadres may join another team, its village may get another team.
    await run(store, handlers.change_members, teams.ChangeMembers(add=[t["secretary"]]), CITY, team_id=third)
    await run(store, handlers.assign_village, teams.AssignVillage(village_code=code), CITY, team_id=other)
    gaps = await run(store, network_queries.gaps, None)
    async with store.pool.acquire() as conn:
        profiles = {p.team_id for p in await eventlog.team_profiles(conn, [])}
    assert t["team_id"] not in gaps["teams_without_village"] and t["team_id"] not in profiles


async def test_a_dissolved_team_takes_no_more_commands_and_a_refusal_writes_nothing(store):
    [code] = await designated_villages(store, 1)
    t = await team(store)
    with pytest.raises(ValidationError):
        teams.DissolveTeam(reason="")
    with pytest.raises(Forbidden):
        await run(store, handlers.dissolve_team, teams.DissolveTeam(reason="撤销"), official("120114"),
                  team_id=t["team_id"])
    await run(store, handlers.dissolve_team, teams.DissolveTeam(reason="撤销"), official("120119"), team_id=t["team_id"])
    before = await count_events(store)
    for attempt in (
        lambda: run(store, handlers.dissolve_team, teams.DissolveTeam(reason="再次"), CITY, team_id=t["team_id"]),
        lambda: run(store, handlers.assign_village, teams.AssignVillage(village_code=code), CITY, team_id=t["team_id"]),
        lambda: run(store, handlers.rotate_team, teams.RotateTeam(villages=[code], reason="轮换"), CITY,
                    team_id=t["team_id"]),
        lambda: run(store, handlers.replace_first_secretary,
                    teams.ReplaceFirstSecretary(cadre_id=t["member"], reason="更换"), CITY, team_id=t["team_id"]),
    ):
        with pytest.raises(Conflict) as refused:
            await attempt()
        assert refused.value.field == "team_id" and "dissolved" in refused.value.message
    assert await count_events(store) == before
    # The id stays taken: a dissolved team is not formed again.
    with pytest.raises(Conflict):
        await run(store, handlers.form_team,
                  teams.FormTeam(team_id=t["team_id"], district="120119", lead_unit_id=t["lead"],
                                 member_ids=[t["member"]], first_secretary_id=t["member"]), CITY)


async def test_rotation_leaves_some_villages_joins_others_and_the_new_ones_are_entered_again(store):
    a, b, c = await designated_villages(store, 3)
    t = await team(store)
    for code in (a, b):
        await run(store, handlers.assign_village, teams.AssignVillage(village_code=code), CITY, team_id=t["team_id"])
        await run(store, handlers.enter_village, teams.EnterVillage(entered_on=date(2021, 6, 1)), CITY,
                  team_id=t["team_id"], code=code)

    result = await run(store, handlers.rotate_team, teams.RotateTeam(villages=[b, c], reason="轮换到新村"), CITY,
                       team_id=t["team_id"])
    assert (result["left"], result["joined"], result["villages"]) == ([a], [c], [b, c])
    events = (await store.read_stream(None, f"team-{t['team_id']}"))[-3:]
    assert [(e.type, e.payload.get("village_code")) for e in events] == [
        ("TeamUnassigned", a), ("TeamAssigned", c), ("TeamRotated", None)]
    assert events[-1].payload["left"] == [a] and events[-1].payload["joined"] == [c]
    async with store.pool.acquire() as conn:
        served = dict(await conn.fetch("select village_code, team_id from registry.village_team where team_id = $1",
                                       t["team_id"]))
    assert served == {b: t["team_id"], c: t["team_id"]}
    team_now = await run(store, handlers.network.load_team, t["team_id"])
    assert team_now.entered == {b: date(2021, 6, 1)}  # c must be entered; b keeps its entry
    # The village left may get another team.
    await run(store, handlers.assign_village, teams.AssignVillage(village_code=a), CITY,
              team_id=(await team(store))["team_id"])


async def test_rotation_refuses_what_the_assignment_rules_refuse_and_writes_nothing(store):
    a, b, served_elsewhere = await designated_villages(store, 3)
    [other_district] = await designated_villages(store, 1, district="120114")
    from services.registry.domain.commands import RegisterVillage
    from tests.support.villages import village_body

    plain = village_body("120119")
    await run(store, handlers.register_village, RegisterVillage.model_validate(plain), CITY)
    t, rival = await team(store), await team(store)
    await run(store, handlers.assign_village, teams.AssignVillage(village_code=a), CITY, team_id=t["team_id"])
    await run(store, handlers.assign_village, teams.AssignVillage(village_code=served_elsewhere), CITY,
              team_id=rival["team_id"])
    before = await count_events(store)
    cases = [
        ([a], DomainError, "villages"),  # the same villages
        ([plain["code"]], DomainError, "villages"),  # not designated
        ([other_district], DomainError, "villages"),  # outside the team's district
        ([b, served_elsewhere], Conflict, "village_code"),  # has a team already
    ]
    for villages, error, field in cases:
        with pytest.raises(error) as refused:
            await run(store, handlers.rotate_team, teams.RotateTeam(villages=villages, reason="轮换"), CITY,
                      team_id=t["team_id"])
        assert type(refused.value) is error and refused.value.field == field, villages
    with pytest.raises(ValidationError):
        teams.RotateTeam(villages=[a, b, served_elsewhere], reason="三个村")
    with pytest.raises(ValidationError):
        teams.RotateTeam(villages=[b, b], reason="重复")
    assert await count_events(store) == before


async def test_a_new_first_secretary_is_trained_by_that_day_as_at_entry(store):
    t = await resident_team(store)
    newcomer = await cadre(store, t["lead"])  # of the lead unit, not yet a member
    before = await count_events(store)
    with pytest.raises(DomainError) as untrained:
        await run(store, handlers.replace_first_secretary,
                  teams.ReplaceFirstSecretary(cadre_id=newcomer, reason="工作调动"), CITY, team_id=t["team_id"], meta=JULY)
    assert untrained.value.field == "cadre_id" and "training" in untrained.value.message
    await run(store, handlers.record_training, RecordTraining(course="集中培训", completed_on=date(2021, 7, 5)), CITY,
              cadre_id=newcomer)
    with pytest.raises(DomainError):  # trained, but after the day of the replacement
        await run(store, handlers.replace_first_secretary,
                  teams.ReplaceFirstSecretary(cadre_id=newcomer, reason="工作调动"), CITY, team_id=t["team_id"], meta=JULY)
    assert await count_events(store) == before + 1  # the training only

    later = CommandMeta(actor="test", occurred_at=datetime(2021, 7, 6, 9, tzinfo=UTC))
    result = await run(store, handlers.replace_first_secretary,
                       teams.ReplaceFirstSecretary(cadre_id=newcomer, previous_leaves=True, reason="工作调动"), CITY,
                       team_id=t["team_id"], meta=later)
    assert result["first_secretary_id"] == newcomer and set(result["members"]) == {t["member"], newcomer}
    changed, replaced = (await store.read_stream(None, f"team-{t['team_id']}"))[-2:]
    assert (changed.type, changed.payload["added"], changed.payload["removed"]) == (
        "TeamMembersChanged", [newcomer], [t["secretary"]])
    assert replaced.type == "FirstSecretaryReplaced" and replaced.payload["previous_id"] == t["secretary"]
    assert (replaced.payload["replaced_on"], replaced.payload["trained_on"]) == ("2021-07-06", "2021-07-05")
    # The one replaced left the team: free for another.
    await form_with(store, t["lead"], t["secretary"])


async def form_with(store, lead: str, member: str) -> None:
    other = await unit(store, ["finance"])
    await run(store, handlers.form_team, teams.FormTeam(team_id=uid("team"), district="120119", lead_unit_id=other,
                                                        partner_unit_ids=[lead], member_ids=[member],
                                                        first_secretary_id=member), CITY)


async def test_a_replacement_refuses_strangers_members_of_other_teams_and_the_same_secretary(store):
    t = await team(store)
    stranger = await cadre(store, await unit(store, ["water"]), trained_on=date(2021, 1, 1))
    elsewhere = await team(store, lead=t["lead"])  # a trained secretary, busy in another team
    before = await count_events(store)
    cases = [
        (stranger, DomainError),  # of neither the lead nor a partner unit
        (elsewhere["secretary"], Conflict),  # in another team
        (t["secretary"], Conflict),  # the first secretary already
    ]
    for cadre_id, error in cases:
        with pytest.raises(error) as refused:
            await run(store, handlers.replace_first_secretary,
                      teams.ReplaceFirstSecretary(cadre_id=cadre_id, reason="更换"), CITY, team_id=t["team_id"],
                      meta=JULY)
        assert type(refused.value) is error and refused.value.field == "cadre_id", cadre_id
    assert await count_events(store) == before


async def test_changing_the_secretary_through_members_obeys_the_same_training_rule(store):
    t = await team(store)
    untrained = await cadre(store, t["lead"])
    with pytest.raises(DomainError) as refused:
        await run(store, handlers.change_members, teams.ChangeMembers(add=[untrained], first_secretary_id=untrained),
                  CITY, team_id=t["team_id"], meta=JULY)
    assert refused.value.field == "first_secretary_id"
