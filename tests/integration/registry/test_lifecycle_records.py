"""动态管理 of the records: leave cancelled before it starts, a unit's and a village's
attributes edited with a reason, a village graduated (达标出列) — distinct from re-screening."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared.eventstore import CommandMeta
from shared.eventstore.errors import Conflict, DomainError, Forbidden, NotFound

from services.registry import handlers
from services.registry.domain.cadres import CancelLeave, DecideLeave, RequestLeave
from services.registry.domain.commands import ChangeVillageAttributes, GraduateVillage
from services.registry.domain.screening import RunScreening
from services.registry.domain.teams import AssignVillage
from services.registry.domain.units import ChangeUnitAttributes
from services.registry.queries import eventlog, screenings
from services.registry.queries.cadres import cadre_record
from tests.integration.registry.conftest import CITY, count_events, official, run
from tests.integration.registry.network import designated_villages, resident_team, run_in_force, team, unit
from tests.support.registry import uid


def on(day: str) -> CommandMeta:
    return CommandMeta(actor="test", occurred_at=datetime.fromisoformat(day + "T09:00:00").replace(tzinfo=UTC))


# -- leave -------------------------------------------------------------------------------

async def test_approved_leave_cancelled_before_it_starts_frees_its_days(store):
    t = await team(store)
    cadre = t["member"]
    await run(store, handlers.request_leave,
              RequestLeave(leave_id="l1", start=date(2021, 7, 1),
                            end=date(2021, 7, 8), reason="探亲"), CITY, 10, cadre_id=cadre)
    await run(store, handlers.decide_leave, DecideLeave(approve=True), CITY, 10, cadre_id=cadre, leave_id="l1")
    with pytest.raises(DomainError):  # 8 of 10 days used: 5 more are over the quota
        await run(store, handlers.request_leave,
                  RequestLeave(leave_id="l2", start=date(2021, 8, 1),
                                end=date(2021, 8, 5), reason="事假"), CITY, 10, cadre_id=cadre)
    result = await run(store, handlers.cancel_leave, CancelLeave(reason="工作需要，取消休假"), CITY, cadre_id=cadre,
                       leave_id="l1", meta=on("2021-06-30"))
    assert (result["status"], result["used_days"]) == ("cancelled", 0)
    [cancelled] = [e for e in await store.read_stream(None, f"cadre-{cadre}") if e.type == "LeaveCancelled"]
    assert cancelled.payload["was"] == "approved" and cancelled.payload["days"] == 8
    # Its days count no more, and its dates are free again.
    await run(store, handlers.request_leave,
              RequestLeave(leave_id="l2", start=date(2021, 7, 1),
                            end=date(2021, 7, 5), reason="事假"), CITY, 10, cadre_id=cadre)
    await run(store, handlers.decide_leave, DecideLeave(approve=True), CITY, 10, cadre_id=cadre, leave_id="l2")
    record = await run(store, cadre_record, cadre, CITY)
    assert record["leave_used_days"] == {2021: 5}


async def test_leave_that_began_or_ended_cannot_be_cancelled_and_nothing_is_written(store):
    t = await team(store)
    cadre = t["member"]
    for leave_id, start in (("began", date(2021, 7, 1)), ("rejected", date(2021, 9, 1))):
        await run(store, handlers.request_leave,
                  RequestLeave(leave_id=leave_id, start=start,
                                end=start.replace(day=2), reason="事假"), CITY, 10, cadre_id=cadre)
    await run(store, handlers.decide_leave, DecideLeave(approve=True), CITY, 10, cadre_id=cadre, leave_id="began")
    await run(store, handlers.decide_leave, DecideLeave(approve=False, reason="工作需要"), CITY, 10, cadre_id=cadre,
              leave_id="rejected")
    before = await count_events(store)
    with pytest.raises(Conflict) as started:  # its first day
        await run(store, handlers.cancel_leave, CancelLeave(reason="取消"), CITY, cadre_id=cadre, leave_id="began",
                  meta=on("2021-07-01"))
    assert started.value.field == "leave_id" and "began" in started.value.message
    with pytest.raises(Conflict):
        await run(store, handlers.cancel_leave, CancelLeave(reason="取消"), CITY, cadre_id=cadre, leave_id="rejected",
                  meta=on("2021-06-01"))
    with pytest.raises(NotFound):
        await run(store, handlers.cancel_leave, CancelLeave(reason="取消"), CITY, cadre_id=cadre, leave_id="nope",
                  meta=on("2021-06-01"))
    with pytest.raises(Forbidden):  # another district's official
        await run(store, handlers.cancel_leave, CancelLeave(reason="取消"), official("120114"), cadre_id=cadre,
                  leave_id="began", meta=on("2021-06-01"))
    with pytest.raises(ValidationError):
        CancelLeave(reason="")
    assert await count_events(store) == before
    # A requested (not yet decided) leave may be withdrawn too; twice is a conflict.
    await run(store, handlers.request_leave,
              RequestLeave(leave_id="asked", start=date(2021, 10, 1),
                            end=date(2021, 10, 2), reason="事假"), CITY, 10, cadre_id=cadre)
    await run(store, handlers.cancel_leave, CancelLeave(reason="不休了"), CITY, cadre_id=cadre, leave_id="asked",
              meta=on("2021-09-01"))
    with pytest.raises(Conflict):
        await run(store, handlers.cancel_leave, CancelLeave(reason="不休了"), CITY, cadre_id=cadre, leave_id="asked",
                  meta=on("2021-09-01"))


# -- attributes --------------------------------------------------------------------------

async def test_a_village_edited_with_a_reason_is_matched_by_its_new_type_and_needs(store):
    [code] = await designated_villages(store, 1, village_type="agriculture")
    edited = await run(store, handlers.change_village_attributes,
                       ChangeVillageAttributes(village_type="文旅型", needs="金融、科技", reason="产业转型为乡村旅游"),
                       official("120119"), code=code)
    assert (edited["village_type"], edited["needs"], edited["town"]) == ("tourism", ["finance", "technology"], "测试镇")
    [event] = [e for e in await store.read_stream(None, f"village-{code}") if e.type == "VillageAttributesChanged"]
    assert event.payload["changed"] == ["village_type", "needs"]
    assert event.payload["previous"] == {"town": "测试镇", "village_type": "agriculture", "needs": []}
    async with store.pool.acquire() as conn:
        [profile] = [v for v in await eventlog.unserved_villages(conn, ["120119"]) if v.code == code]
    assert (profile.village_type, profile.needs) == ("tourism", frozenset({"finance", "technology"}))
    moved = await run(store, handlers.change_village_attributes, ChangeVillageAttributes(town="新镇", reason="区划调整"),
                      CITY, code=code)
    assert (moved["town"], moved["village_type"], moved["needs"]) == ("新镇", "tourism", ["finance", "technology"])


async def test_a_village_edit_that_changes_nothing_or_says_nothing_is_refused(store):
    [code] = await designated_villages(store, 1, village_type="agriculture")
    before = await count_events(store)
    with pytest.raises(DomainError) as same:
        await run(store, handlers.change_village_attributes,
                  ChangeVillageAttributes(village_type="agriculture", reason="核对"), CITY, code=code)
    assert "nothing changes" in same.value.message
    with pytest.raises(Forbidden):
        await run(store, handlers.change_village_attributes, ChangeVillageAttributes(town="别镇", reason="调整"),
                  official("120114"), code=code)
    with pytest.raises(NotFound):
        await run(store, handlers.change_village_attributes, ChangeVillageAttributes(town="别镇", reason="调整"), CITY,
                  code="120119999999")
    for bad in ({"reason": "只有理由"}, {"town": "新镇"}, {"village_type": "火星型", "reason": "调整"},
                {"needs": ["魔法"], "reason": "调整"}, {"town": "新镇", "reason": "调整", "name": "改名"}):
        with pytest.raises(ValidationError):
            ChangeVillageAttributes.model_validate(bad)
    assert await count_events(store) == before


async def test_a_units_new_strengths_are_what_matching_reads(store):
    lead = await unit(store, ["agriculture"])
    t = await team(store, lead=lead)
    result = await run(store, handlers.change_unit_attributes, ChangeUnitAttributes(strengths="金融、科技", reason="职能调整"),
                       CITY, unit_id=lead)
    assert result["strengths"] == ["finance", "technology"]
    async with store.pool.acquire() as conn:
        [profile] = [p for p in await eventlog.team_profiles(conn, []) if p.team_id == t["team_id"]]
    assert profile.lead_strengths == frozenset({"finance", "technology"})
    before = await count_events(store)
    with pytest.raises(DomainError) as same:
        await run(store, handlers.change_unit_attributes,
                  ChangeUnitAttributes(strengths=["technology", "finance"], reason="核对"), CITY, unit_id=lead)
    assert same.value.field == "strengths"
    with pytest.raises(NotFound):
        await run(store, handlers.change_unit_attributes, ChangeUnitAttributes(strengths=["finance"], reason="调整"),
                  CITY, unit_id=uid("unit"))
    with pytest.raises(Forbidden):  # a city-level unit is the city office's
        await run(store, handlers.change_unit_attributes, ChangeUnitAttributes(strengths=["water"], reason="调整"),
                  official("120119"), unit_id=lead)
    with pytest.raises(ValidationError):
        ChangeUnitAttributes(strengths=[], reason="清空")
    assert await count_events(store) == before


# -- graduation --------------------------------------------------------------------------

async def test_a_village_that_met_the_target_graduates_and_its_team_is_unassigned(store):
    code, other = await designated_villages(store, 2)
    t = await team(store)
    await run(store, handlers.assign_village, AssignVillage(village_code=code), CITY, team_id=t["team_id"])
    designating_run = await run_in_force(store)
    result = await run(store, handlers.graduate_village,
                       GraduateVillage(year=2022, income="215000.00", reason="2022年集体经营性收入达21.5万元，达标出列"), code=code)
    assert result["teams_unassigned"] == [t["team_id"]] and result["designated_by_run"] == designating_run
    [revoked] = [e for e in await store.read_stream(None, f"village-{code}") if e.type == "DesignationRevoked"]
    assert revoked.payload["reason_code"] == "graduated" and revoked.payload["run_id"] == designating_run
    assert revoked.payload["met_target"] == {"year": 2022, "income_fen": 21_500_000}
    [unassigned] = [e for e in await store.read_stream(None, f"team-{t['team_id']}") if e.type == "TeamUnassigned"]
    assert unassigned.payload["village_code"] == code and "graduated" in unassigned.payload["reason"]
    async with store.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from registry.village_team where village_code = $1", code) == 0
        assert code not in {v.code for v in await eventlog.unserved_villages(conn, [])}
    # No team may be assigned to it any more.
    with pytest.raises(DomainError):
        await run(store, handlers.assign_village, AssignVillage(village_code=code), CITY, team_id=t["team_id"])

    # A later run neither ranks it again nor revokes it a second time; it stays re-derivable.
    new_run = uid("run")
    screened = await run(store, handlers.run_screening, RunScreening(run_id=new_run, quota=1_000_000,
                                                                     supersedes=designating_run), 800)
    assert code in screened["removed"] and other not in screened["removed"]
    assert await count_events(store, "DesignationRevoked") == 1
    # The run's ranked list travels in pages (ScreeningRankedPage) before its summary.
    ranked = {r["code"] for e in await store.read_stream(None, f"screening-{new_run}")
              for r in e.payload.get("ranked", ())}
    assert other in ranked and code not in ranked
    assert (await run(store, screenings.verify, new_run))["matches"] is True


async def test_a_rescreened_village_is_revoked_with_its_own_reason(store):
    codes = await designated_villages(store, 2)
    head = await run_in_force(store)
    async with store.pool.acquire() as conn:
        ranked = [r["code"] for r in await conn.fetchval(
            "select payload->'ranked' from es.events where stream_id = 'screening-' || $1", head)]
    dropped = max(codes, key=ranked.index)
    await run(store, handlers.run_screening, RunScreening(run_id=uid("run"), quota=ranked.index(dropped),
                                                          supersedes=head), 800)
    [revoked] = [e for e in await store.read_stream(None, f"village-{dropped}") if e.type == "DesignationRevoked"]
    assert revoked.payload["reason_code"] == "rescreened" and revoked.payload["met_target"] is None


async def test_graduation_needs_a_designated_village_the_target_and_a_reason(store):
    [code] = await designated_villages(store, 1)
    from services.registry.domain.commands import RegisterVillage
    from tests.support.villages import village_body

    plain = village_body("120119", income_2018="900000", income_2019="900000", income_2020="900000")
    await run(store, handlers.register_village, RegisterVillage.model_validate(plain), CITY)
    before = await count_events(store)
    with pytest.raises(Conflict) as not_weak:
        await run(store, handlers.graduate_village, GraduateVillage(year=2022, income="300000", reason="达标"),
                  code=plain["code"])
    assert not_weak.value.field == "village_code"
    with pytest.raises(NotFound):
        await run(store, handlers.graduate_village,
                  GraduateVillage(year=2022, income="300000",
                                   reason="达标"), code="120119999999")
    for bad in ({"year": 2022, "income": "199999.99", "reason": "未达标"}, {"year": 2022, "income": "300000"},
                {"year": 2022, "income": "300000", "reason": ""}, {"year": 2019, "income": "300000", "reason": "达标"},
                {"year": 2022, "income": "300000.001", "reason": "达标"}):
        with pytest.raises(ValidationError):
            GraduateVillage.model_validate(bad)
    assert await count_events(store) == before
    await run(store, handlers.graduate_village, GraduateVillage(year=2022, income="200000", reason="恰好达标"), code=code)
    with pytest.raises(Conflict):  # graduated already
        await run(store, handlers.graduate_village, GraduateVillage(year=2022, income="200000", reason="再次"),
                  code=code)


# -- the alerts' read model --------------------------------------------------------------

async def test_the_alerts_forget_a_cancelled_leave_and_a_dissolved_team(store):

    from services.registry.queries import alerts
    from services.registry.domain.teams import DissolveTeam
    from services.registry.projections.activity import ActivityProjection
    from tests.integration.registry.test_cadre_management import _all_events

    t = await resident_team(store)
    await run(store, handlers.request_leave,
              RequestLeave(leave_id="l", start=date(2021, 6, 1),
                            end=date(2021, 6, 10), reason="病假"), CITY, 10, cadre_id=t["member"])
    await run(store, handlers.decide_leave, DecideLeave(approve=True), CITY, 10, cadre_id=t["member"], leave_id="l")
    await run(store, handlers.cancel_leave, CancelLeave(reason="不休了"), CITY, cadre_id=t["member"], leave_id="l",
              meta=on("2021-05-31"))
    projection = ActivityProjection()
    events = await _all_events(store)
    async with store.pool.acquire() as conn, conn.transaction():
        for event in events:
            await projection.apply(conn, event)
        # Without the leave the member was absent from entry (1 June) to 12 June, as the secretary.
        absent = {a["cadre_id"]: a["absent_days"] for a in await alerts.absent_cadres(conn, date(2021, 6, 12), 7, None)}
        assert absent == {t["secretary"]: 12, t["member"]: 12}
    await run(store, handlers.dissolve_team, DissolveTeam(reason="撤销"), CITY, team_id=t["team_id"])
    async with store.pool.acquire() as conn, conn.transaction():
        for event in (await _all_events(store))[len(events):]:  # the TeamUnassigned and the TeamDissolved
            await projection.apply(conn, event)
        assert await alerts.absent_cadres(conn, date(2021, 6, 12), 7, None) == []
        assert await conn.fetchval("select count(*) from rg.memberships where team_id = $1", t["team_id"]) == 0
        _, _, silent = await alerts.silent_villages(conn, date(2021, 6, 9), None)
        assert silent == []
