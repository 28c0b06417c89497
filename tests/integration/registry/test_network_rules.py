"""The programme's rules on units, cadres, teams and villages, each passing and failing."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from shared.eventstore.errors import Conflict, DomainError, Forbidden

from services.registry import handlers
from services.registry.domain.teams import AssignVillage, ChangeMembers, EnterVillage, FormTeam, UnassignVillage
from tests.integration.registry.conftest import CITY, count_events, official, run
from tests.integration.registry.network import cadre, designated_villages, team, unit
from tests.support.registry import uid


async def form(store, lead: str, members: list[str], partners: list[str] = (), district: str = "120119", access=CITY):
    team_id = uid("team")
    await run(store, handlers.form_team, FormTeam(team_id=team_id, district=district, lead_unit_id=lead,
                                                  partner_unit_ids=list(partners), member_ids=members,
                                                  first_secretary_id=members[0]), access)
    return team_id


async def test_a_unit_takes_part_in_one_or_two_teams_not_three(store):
    lead = await unit(store, ["agriculture"])
    await form(store, lead, [await cadre(store, lead)])
    other = await unit(store, ["finance"])
    await form(store, other, [await cadre(store, other)], partners=[lead])  # second, as a partner
    before = await count_events(store)
    with pytest.raises(Conflict) as third:
        await form(store, lead, [await cadre(store, lead)])
    assert third.value.field == "lead_unit_id" and "two teams" in third.value.message
    assert await count_events(store) == before + 1  # only the cadre registered, no team


async def test_a_cadre_is_in_one_team_at_a_time(store):
    lead = await unit(store, ["agriculture"])
    shared = await cadre(store, lead)
    first = await form(store, lead, [shared])
    with pytest.raises(Conflict) as twice:
        await form(store, lead, [await cadre(store, lead), shared])
    assert twice.value.field == "member_ids" and first in twice.value.message
    # After leaving the first team the cadre may join another.
    replacement = await cadre(store, lead, trained_on=date(2021, 5, 1))  # a new first secretary is trained
    await run(store, handlers.change_members,
              ChangeMembers(add=[replacement], remove=[shared],
                            first_secretary_id=replacement), CITY, team_id=first)
    await form(store, lead, [shared])


async def test_concurrent_teams_cannot_share_a_cadre(store):
    units = [await unit(store, ["agriculture"]) for _ in range(2)]
    shared = await cadre(store, units[0])
    partner_member = await cadre(store, units[1])

    async def attempt(i: int):
        try:
            return await form(store, units[i], [shared] if i == 0 else [partner_member, shared], partners=[units[1 - i]])
        except Conflict:
            return None

    results = await asyncio.gather(attempt(0), attempt(1))
    assert sum(r is not None for r in results) == 1


async def test_members_come_from_the_lead_or_partner_units_and_the_secretary_is_one(store):
    lead, stranger_unit = await unit(store, ["agriculture"]), await unit(store, ["water"])
    member, outsider = await cadre(store, lead), await cadre(store, stranger_unit)
    with pytest.raises(DomainError) as outside:
        await form(store, lead, [member, outsider])
    assert outside.value.field == "member_ids"
    await form(store, lead, [member, outsider], partners=[stranger_unit])
    with pytest.raises(DomainError) as secretary:
        await run(store, handlers.form_team, FormTeam(team_id=uid("team"), district="120119", lead_unit_id=lead,
                                                      member_ids=[await cadre(store, lead)],
                                                      first_secretary_id=await cadre(store, lead)), CITY)
    assert secretary.value.field == "first_secretary_id"


async def test_district_level_units_and_officials_stay_in_their_district(store):
    district_unit = await unit(store, ["agriculture"], level="district", district="120114")
    member = await cadre(store, district_unit)
    with pytest.raises(DomainError) as elsewhere:
        await form(store, district_unit, [member], district="120119")
    assert elsewhere.value.field == "district"
    with pytest.raises(Forbidden):
        await form(store, district_unit, [member], district="120114", access=official("120119"))
    await form(store, district_unit, [member], district="120114", access=official("120114"))


async def test_a_team_serves_one_or_two_designated_villages_of_its_district(store):
    codes = await designated_villages(store, 3)
    t = await team(store)
    for code in codes[:2]:
        await run(store, handlers.assign_village, AssignVillage(village_code=code), CITY, team_id=t["team_id"])
    with pytest.raises(DomainError) as third:
        await run(store, handlers.assign_village, AssignVillage(village_code=codes[2]), CITY, team_id=t["team_id"])
    assert "two villages" in third.value.message
    other_district = await designated_villages(store, 1, district="120114")
    with pytest.raises(DomainError):
        await run(store, handlers.assign_village, AssignVillage(village_code=other_district[0]), CITY,
                  team_id=(await team(store))["team_id"])


async def test_only_designated_villages_get_a_team(store):
    from services.registry.domain.commands import RegisterVillage
    from tests.support.villages import village_body

    body = village_body("120119")
    await run(store, handlers.register_village, RegisterVillage.model_validate(body), CITY)
    t = await team(store)
    with pytest.raises(DomainError) as not_weak:
        await run(store, handlers.assign_village, AssignVillage(village_code=body["code"]), CITY,
                  team_id=t["team_id"])
    assert "not designated" in not_weak.value.message


async def test_each_weak_village_has_exactly_one_team_even_under_concurrency(store):
    [code] = await designated_villages(store, 1)
    teams = [await team(store) for _ in range(4)]
    results = await asyncio.gather(*(
        run(store, handlers.assign_village, AssignVillage(village_code=code), CITY, team_id=t["team_id"]) for t in teams
    ), return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception))
    assert await count_events(store, "TeamAssigned") == 1
    winner = next(t for t, r in zip(teams, results, strict=True) if not isinstance(r, Exception))
    await run(store, handlers.unassign_village, UnassignVillage(reason="调整"), CITY, team_id=winner["team_id"],
              code=code)
    await run(store, handlers.assign_village, AssignVillage(village_code=code), CITY,
              team_id=teams[0]["team_id"] if winner is not teams[0] else teams[1]["team_id"])


async def test_entering_a_village_needs_a_trained_first_secretary(store):
    [code] = await designated_villages(store, 1)
    untrained = await team(store, trained_on=None)
    await run(store, handlers.assign_village, AssignVillage(village_code=code), CITY, team_id=untrained["team_id"])
    with pytest.raises(DomainError) as refused:
        await run(store, handlers.enter_village, EnterVillage(entered_on=date(2021, 6, 1)), CITY,
                  team_id=untrained["team_id"], code=code)
    assert refused.value.field == "entered_on"
    from services.registry.domain.cadres import RecordTraining

    await run(store, handlers.record_training, RecordTraining(course="集中培训", completed_on=date(2021, 5, 20)), CITY,
              cadre_id=untrained["secretary"])
    with pytest.raises(DomainError):  # trained, but only after the day of entry
        await run(store, handlers.enter_village, EnterVillage(entered_on=date(2021, 5, 10)), CITY,
                  team_id=untrained["team_id"], code=code)
    await run(store, handlers.enter_village, EnterVillage(entered_on=date(2021, 6, 1)), CITY,
              team_id=untrained["team_id"], code=code)


async def test_a_superseding_run_that_drops_a_village_unassigns_its_team(store):
    from services.registry.domain.screening import RunScreening

    codes = await designated_villages(store, 2)
    t = await team(store)
    await run(store, handlers.assign_village, AssignVillage(village_code=codes[1]), CITY, team_id=t["team_id"])
    async with store.pool.acquire() as conn:
        head = await conn.fetchval("select payload->>'run_id' from es.events where type = 'ScreeningCompleted' order by id desc limit 1")
        ranked = [r["code"] for r in (await conn.fetchval(
            "select payload->'ranked' from es.events where stream_id = 'screening-' || $1", head))]
    keep = ranked.index(codes[1])  # designate only the villages ranked below this one
    result = await run(store, handlers.run_screening, RunScreening(run_id=uid("run"), quota=keep, supersedes=head), 800)
    assert codes[1] in result["removed"] and result["teams_unassigned"] == [codes[1]]
    [unassigned] = [e for e in await store.read_stream(None, f"team-{t['team_id']}") if e.type == "TeamUnassigned"]
    assert unassigned.payload["village_code"] == codes[1]
