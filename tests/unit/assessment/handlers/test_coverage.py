"""Registering people and ending their cover through the handlers, without PostgreSQL: the
directory and the data keys are given as their in-memory twins."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.assessment import CoverageEnded, EligibilityRecorded, LowIncomePersonRegistered
from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Role
from shared.privacy.keys import PersonErased, PgDataKeys
from shared.privacy.memory import InMemoryDataKeys

from services.assessment.adapters.directory import PgDirectory
from services.assessment.adapters.memory import InMemoryDirectory
from services.assessment.domain.coverage import EndCoverage, RecordCoverage, RegisterPerson
from services.assessment.handlers import coverage
from tests.unit.assessment.handlers.support import unit_on
from tests.unit.assessment.test_coverage import registered

VILLAGE = "120119001001"
SECRETARY = Principal(subject="fs-t-1", role=Role.first_secretary, district="120119", team="t-1")


def heard(uow):
    uow.provide(PgDirectory, InMemoryDirectory({VILLAGE: "120119"})).assign("t-1", VILLAGE)


async def test_the_villages_team_registers_a_person_and_another_team_may_not():
    uow = unit_on(date(2022, 5, 1))
    heard(uow)
    body = RegisterPerson(person_id="P-0002", household_id="H-02", village_code=VILLAGE,
                          eligible_for=["medical_insurance"])
    with pytest.raises(Forbidden):
        await coverage.register_person(uow, body, SECRETARY.model_copy(update={"team": "t-2"}))
    done = await coverage.register_person(uow, body, SECRETARY)
    assert (done["person_id"], done["gaps"]) == ("P-0002", ["medical_insurance"])
    assert [type(e) for e in uow.events] == [LowIncomePersonRegistered, EligibilityRecorded]


async def test_the_reason_a_cover_ends_is_sealed_with_the_persons_key():
    person = registered("medical_insurance")
    person.cover(RecordCoverage(cover="medical_insurance"), date(2022, 5, 1))
    uow = unit_on(date(2022, 6, 1), person)
    heard(uow)
    keys = uow.provide(PgDataKeys, InMemoryDataKeys())
    done = await coverage.end_coverage(uow, EndCoverage(reason="迁出本村"), SECRETARY, person_id="P-0001",
                                       cover="medical_insurance")
    assert done["gaps"] == ["medical_insurance"] and [type(e) for e in uow.events] == [CoverageEnded]
    reason = uow.events[0].reason
    assert reason.data != "迁出本村" and (await keys.opener([reason.key]))(reason) == "迁出本村"

    await keys.erase(reason.key)
    uow = unit_on(date(2022, 6, 3), person)  # covered again, the person's data since erased
    heard(uow)
    uow.provide(PgDataKeys, keys)
    with pytest.raises(PersonErased):
        await coverage.end_coverage(uow, EndCoverage(reason="再次迁出"), SECRETARY, person_id="P-0001",
                                    cover="medical_insurance")
    assert uow.events == []
