"""Low-income protection: pseudonymous ids only, cover only the eligible, gaps."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from shared.eventstore.errors import Conflict, DomainError
from shared.privacy.cipher import Sealer, new_data_key
from services.assessment.domain.coverage import (
    EndCoverage,
    LowIncomePerson,
    RecordCoverage,
    RecordEligibility,
    RegisterPerson,
)

DAY = date(2022, 5, 1)


def registered(*covers: str) -> LowIncomePerson:
    person = LowIncomePerson("P-0001")
    person.register(RegisterPerson(person_id="P-0001", household_id="H-01", village_code="120119001001",
                                   eligible_for=list(covers)), "120119", DAY)
    return person


@pytest.mark.parametrize("person_id", ["120119198001011234", "P12011919800101123X", "张三", "li si"])
def test_names_and_id_numbers_are_refused(person_id):
    with pytest.raises(ValidationError):
        RegisterPerson(person_id=person_id, household_id="H-01", village_code="120119001001")


def test_a_pseudonymous_id_is_accepted():
    assert RegisterPerson(person_id="JZ-2022-00017", household_id="H-9", village_code="120119001001")


def test_only_an_eligible_person_is_covered_and_covered_once():
    person = registered("medical_insurance")
    with pytest.raises(DomainError) as refused:
        person.cover(RecordCoverage(cover="education_aid"), DAY)
    assert refused.value.field == "cover"
    person.cover(RecordCoverage(cover="medical_insurance"), DAY)
    with pytest.raises(Conflict):
        person.cover(RecordCoverage(cover="medical_insurance"), DAY)


def test_gaps_are_eligible_covers_without_cover_and_come_back_when_cover_ends():
    person = registered("medical_insurance", "housing_renovation")
    assert person.gaps() == ["medical_insurance", "housing_renovation"]
    person.cover(RecordCoverage(cover="medical_insurance", covered_on=date(2022, 4, 1)), DAY)
    assert person.gaps() == ["housing_renovation"]
    person.set_eligibility(RecordEligibility(cover="housing_renovation", eligible=False), DAY)
    assert person.gaps() == []
    seal = Sealer(person.stream_id, new_data_key())
    person.end("medical_insurance", EndCoverage(reason="医保断缴"), DAY, seal)
    assert person.gaps() == ["medical_insurance"]
    assert "医保断缴" not in person.pending[-1].model_dump_json()  # the reason only sealed
    with pytest.raises(Conflict):
        person.end("medical_insurance", EndCoverage(reason="再次终止"), DAY, seal)


def test_unchanged_eligibility_records_nothing():
    person = registered("education_aid")
    before = len(person.pending)
    assert not person.set_eligibility(RecordEligibility(cover="education_aid", eligible=True), DAY)
    assert len(person.pending) == before
