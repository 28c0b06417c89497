"""The registry's handlers that work through aggregates only, on an in-memory unit of work:
units, a village's record, a team entering its village — each with a refusal."""

from __future__ import annotations

from datetime import date

import pytest

import shared.contracts  # noqa: F401 - registers every service's events in the catalogue
from shared.contracts.registry import CadreTrained, TeamAssigned, WorkTeamFormed
from shared.eventstore.errors import Conflict, DomainError, Forbidden, NotFound
from shared.eventstore.memory import InMemoryUnitOfWork
from shared.identity import Principal, Role

from services.registry import handlers
from services.registry.domain.cadres import Cadre
from services.registry.domain.commands import ChangeVillageAttributes, CorrectIncome, RegisterVillage
from services.registry.domain.teams import EnterVillage, Team
from services.registry.domain.units import ChangeUnitAttributes, RegisterUnit
from services.registry.handlers.access import SYSTEM, Access
from tests.support.villages import village_body

CITY = SYSTEM


def official(district: str) -> Access:
    return Access(Principal(subject=f"official-{district}", role=Role.district_official, district=district))


async def test_a_unit_is_registered_and_its_strengths_changed_with_a_reason():
    uow = InMemoryUnitOfWork()
    cmd = RegisterUnit(unit_id="u1", name="市农业农村委", level="city", strengths="农业、金融")
    assert await handlers.register_unit(uow, cmd, CITY) == {"unit_id": "u1", "stream_version": 1}
    changed = await handlers.change_unit_attributes(uow, ChangeUnitAttributes(strengths=["教育"], reason="职能调整"),
                                                    CITY, unit_id="u1")
    assert changed == {"unit_id": "u1", "strengths": ["education"], "stream_version": 2}
    assert [type(e).__name__ for e in uow.events] == ["UnitRegistered", "UnitAttributesChanged"]


async def test_a_unit_is_refused_to_another_district_and_unchanged_strengths_are_refused():
    uow = InMemoryUnitOfWork()
    with pytest.raises(Forbidden):
        await handlers.register_unit(uow, RegisterUnit(unit_id="u2", name="区单位", level="district", district="120119",
                                                       strengths=["agriculture"]), official("120114"))
    await handlers.register_unit(uow, RegisterUnit(unit_id="u2", name="区单位", level="district", district="120119",
                                                   strengths=["agriculture"]), official("120119"))
    with pytest.raises(DomainError):
        await handlers.change_unit_attributes(uow, ChangeUnitAttributes(strengths=["农业"], reason="重复"), CITY,
                                              unit_id="u2")
    with pytest.raises(NotFound):
        await handlers.change_unit_attributes(uow, ChangeUnitAttributes(strengths=["农业"], reason="没有"), CITY,
                                              unit_id="nobody")
    assert len(uow.events) == 1


async def test_a_village_is_registered_corrected_and_edited_in_its_own_district_only():
    uow = InMemoryUnitOfWork()
    body = village_body("120119", income_2020="1000")
    with pytest.raises(Forbidden):  # another district's official
        await handlers.register_village(uow, RegisterVillage.model_validate(body), official("120114"))
    await handlers.register_village(uow, RegisterVillage.model_validate(body), official("120119"))
    with pytest.raises(Conflict):  # the same code twice
        await handlers.register_village(uow, RegisterVillage.model_validate(body), CITY)
    code = body["code"]
    corrected = await handlers.correct_income(uow, CorrectIncome(year="2020", income="2500.5", reason="漏报"),
                                              official("120119"), code=code)
    assert corrected == {"code": code, "year": "2020", "income_fen": 250050, "stream_version": 2}
    with pytest.raises(Forbidden):
        await handlers.change_village_attributes(uow, ChangeVillageAttributes(town="新镇", reason="区划调整"),
                                                 official("120114"), code=code)
    edited = await handlers.change_village_attributes(uow, ChangeVillageAttributes(town="新镇", reason="区划调整"),
                                                      CITY, code=code)
    assert edited["town"] == "新镇" and edited["stream_version"] == 3
    with pytest.raises(NotFound):
        await handlers.correct_income(uow, CorrectIncome(year="2020", income="1", reason="没有"), CITY,
                                      code="120119999999")
    assert [type(e).__name__ for e in uow.events] == ["VillageRegistered", "VillageIncomeCorrected",
                                                      "VillageAttributesChanged"]


def team_assigned_to(uow: InMemoryUnitOfWork, code: str, trained_on: date | None) -> None:
    uow.given(Team, "t1", [
        WorkTeamFormed(team_id="t1", lead_unit_id="u1", partner_unit_ids=[], member_ids=["c1", "c2"],
                       first_secretary_id="c1", district="120119"),
        TeamAssigned(team_id="t1", lead_unit_id="u1", village_code=code, district="120119", reason="人工指定"),
    ])
    if trained_on:
        uow.given(Cadre, "c1", [CadreTrained(cadre_id="c1", course="第一书记集中培训", completed_on=trained_on)])


async def test_a_team_enters_its_village_once_its_first_secretary_is_trained():
    uow = InMemoryUnitOfWork()
    team_assigned_to(uow, "120119001001", trained_on=date(2021, 5, 1))
    entered = await handlers.enter_village(uow, EnterVillage(entered_on=date(2021, 6, 1)), official("120119"),
                                           team_id="t1", code="120119001001")
    assert entered == {"team_id": "t1", "village_code": "120119001001", "entered_on": "2021-06-01"}
    with pytest.raises(Conflict):  # entered already
        await handlers.enter_village(uow, EnterVillage(entered_on=date(2021, 6, 2)), CITY, team_id="t1",
                                     code="120119001001")
    assert [type(e).__name__ for e in uow.events] == ["TeamEnteredVillage"]


async def test_a_team_whose_first_secretary_is_untrained_does_not_enter():
    uow = InMemoryUnitOfWork()
    team_assigned_to(uow, "120119001001", trained_on=date(2021, 7, 1))
    with pytest.raises(DomainError) as refused:
        await handlers.enter_village(uow, EnterVillage(entered_on=date(2021, 6, 1)), CITY, team_id="t1",
                                     code="120119001001")
    assert refused.value.field == "entered_on"
    with pytest.raises(DomainError):  # not its village
        await handlers.enter_village(uow, EnterVillage(entered_on=date(2021, 8, 1)), CITY, team_id="t1",
                                     code="120119001002")
    with pytest.raises(Forbidden):  # another district
        await handlers.enter_village(uow, EnterVillage(entered_on=date(2021, 8, 1)), official("120114"), team_id="t1",
                                     code="120119001001")
    assert uow.events == []
