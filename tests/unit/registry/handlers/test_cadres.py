"""Cadre management through the handlers, without PostgreSQL: insurance and leave with their
personal data sealed by the keys' twin, the cadre's team looked up in the constraint tables' twin,
and presence checked against the team's village."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.contracts.registry import CadrePresenceLogged, InsuranceRecorded, LeaveRejected, LeaveRequested
from shared.eventstore.errors import DomainError, Forbidden, NotFound
from shared.identity import Principal, Role

from services.registry import handlers
from services.registry.domain.cadres import Cadre, DecideLeave, RecordInsurance, RecordTraining, RequestLeave
from services.registry.domain.presence import LogPresence
from services.registry.domain.teams import AssignVillage, EnterVillage, FormTeam
from services.registry.handlers.access import SYSTEM, Access
from tests.unit.registry.handlers.support import DISTRICT, network, unit_of_work

FIRST_SECRETARY = Access(Principal(subject="fs", role=Role.first_secretary, district=DISTRICT, team="t1"))
OTHER_UNIT = Access(Principal(subject="u9", role=Role.unit, unit="u9"))


async def team_in_village():
    uow, twins = unit_of_work()
    codes = await network(uow)
    await handlers.form_team(uow, FormTeam(team_id="t1", district=DISTRICT, lead_unit_id="u1",
                                           member_ids=["c1", "c2"], first_secretary_id="c1"), SYSTEM)
    await handlers.record_training(uow, RecordTraining(course="第一书记集中培训", completed_on=date(2021, 3, 1)), SYSTEM,
                                   cadre_id="c1")
    await handlers.assign_village(uow, AssignVillage(village_code=codes[0]), SYSTEM, team_id="t1")
    await handlers.enter_village(uow, EnterVillage(entered_on=date(2021, 4, 1)), SYSTEM, team_id="t1", code=codes[0])
    uow.events.clear()
    return uow, twins, codes[0]


async def test_insurance_and_a_rejected_leave_keep_their_personal_data_sealed():
    uow, twins, _ = await team_in_village()
    await handlers.record_insurance(uow, RecordInsurance(policy_no="POL-77", valid_from=date(2021, 4, 1),
                                                         valid_to=date(2022, 3, 31)), FIRST_SECRETARY, cadre_id="c2")
    leave = RequestLeave(leave_id="l1", start=date(2021, 5, 3), end=date(2021, 5, 4), reason="家中有事")
    assert (await handlers.request_leave(uow, leave, FIRST_SECRETARY, 10, cadre_id="c2"))["days"] == 2
    await handlers.decide_leave(uow, DecideLeave(approve=False, reason="农忙"), SYSTEM, 10, cadre_id="c2", leave_id="l1")
    insured, requested, rejected = uow.events
    assert isinstance(insured, InsuranceRecorded) and isinstance(requested, LeaveRequested)
    assert isinstance(rejected, LeaveRejected) and requested.team_id == "t1"
    show = await twins.keys.opener(["cadre-c2"])
    assert [show(insured.policy_no), show(requested.reason), show(rejected.reason)] == ["POL-77", "家中有事", "农忙"]
    assert "POL-77" not in insured.policy_no.data


async def test_a_cadre_is_acted_for_by_their_unit_team_or_district_only():
    uow, _, _ = await team_in_village()
    leave = RequestLeave(leave_id="l1", start=date(2021, 5, 3), end=date(2021, 5, 4), reason="家中有事")
    with pytest.raises(Forbidden):
        await handlers.request_leave(uow, leave, OTHER_UNIT, 10, cadre_id="c2")
    assert uow.events == []


async def test_presence_is_logged_by_members_of_a_team_that_entered_the_village():
    uow, _, village = await team_in_village()
    day = date(2021, 4, 2)
    done = await handlers.log_presence(uow, LogPresence.model_validate(
        {"entries": [{"cadre_id": "c1", "village_code": village, "day": day, "togethers": ["eat"]}]}), FIRST_SECRETARY)
    assert done == {"logged": 1} and [type(e) for e in uow.events] == [CadrePresenceLogged]
    for entry, field in (({"cadre_id": "c3"}, "entries.0.cadre_id"),  # in no team
                         ({"day": date(2021, 3, 31)}, "entries.0.village_code"),  # before the team entered
                         ({"day": date.today() + timedelta(days=2)}, "entries.0.day")):
        body = {"cadre_id": "c2", "village_code": village, "day": day, "togethers": ["live"]} | entry
        with pytest.raises(DomainError) as refused:
            await handlers.log_presence(uow, LogPresence.model_validate({"entries": [body]}), FIRST_SECRETARY)
        assert refused.value.field == field
    assert len(uow.events) == 1


async def test_presence_is_refused_on_an_approved_leave_day_and_for_an_unknown_cadre():
    uow, _, village = await team_in_village()
    for leave_id, start, approve in (("l1", date(2021, 5, 3), True), ("l2", date(2021, 5, 10), False)):
        await handlers.request_leave(uow, RequestLeave(leave_id=leave_id, start=start, end=start + timedelta(days=1),
                                                       reason="家中有事"), FIRST_SECRETARY, 10, cadre_id="c2")
        await handlers.decide_leave(uow, DecideLeave(approve=approve, reason=None if approve else "农忙"), SYSTEM, 10,
                                    cadre_id="c2", leave_id=leave_id)
    uow.events.clear()

    def sheet(*entries: tuple[str, date]) -> LogPresence:
        return LogPresence.model_validate({"entries": [
            {"cadre_id": c, "village_code": village, "day": d, "togethers": ["eat"]} for c, d in entries]})

    with pytest.raises(DomainError) as refused:  # the second entry: c2 on approved leave that day
        await handlers.log_presence(uow, sheet(("c1", date(2021, 5, 4)), ("c2", date(2021, 5, 4))), FIRST_SECRETARY)
    assert (refused.value.field, refused.value.message) == (
        "entries.1.day", "干部 c2 在 2021-05-04 请假 / on approved leave that day")
    with pytest.raises(NotFound) as refused:
        await handlers.log_presence(uow, sheet(("c1", date(2021, 5, 4)), ("c9", date(2021, 5, 4))), FIRST_SECRETARY)
    assert (refused.value.field, refused.value.message) == ("entries.1.cadre_id", "未找到干部 c9 / cadre c9 not found")
    assert uow.events == []
    # The days around the leave, and a rejected leave's days, are no leave.
    done = await handlers.log_presence(uow, sheet(("c2", date(2021, 5, 2)), ("c2", date(2021, 5, 5)),
                                                  ("c2", date(2021, 5, 10))), FIRST_SECRETARY)
    assert done == {"logged": 3}


async def test_presence_reads_no_cadre_stream_whole():
    """The check reads cadres through the event log's narrow fold: a sheet of 2,000 decoded whole
    ``Cadre`` streams is what made registry's API grow (10 MB, 141,000 objects a sheet)."""
    uow, _, village = await team_in_village()
    loaded: list[type] = []
    load_many = uow.load_many

    async def noting(cls, keys):
        loaded.append(cls)
        return await load_many(cls, keys)
    uow.load_many = noting
    await handlers.log_presence(uow, LogPresence.model_validate({"entries": [
        {"cadre_id": "c1", "village_code": village, "day": date(2021, 4, 2), "togethers": ["eat"]}]}), FIRST_SECRETARY)
    assert loaded and Cadre not in loaded
