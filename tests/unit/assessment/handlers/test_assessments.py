"""Defining a rubric, marking, computing, reviewing and publishing a year through the handlers,
without PostgreSQL: the directory and the year's facts are given as their in-memory twins."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.contracts.assessment import (
    AssessmentComputed,
    AssessmentPublished,
    AssessmentReviewed,
    AssessorMarkRecorded,
    RubricDefined,
)
from shared.eventstore.errors import Conflict, DomainError, Forbidden
from shared.eventstore.memory import NeedsDatabase

from services.assessment.adapters.directory import PgDirectory
from services.assessment.adapters.facts import FactsBehind, PgYearFacts
from services.assessment.adapters.memory import InMemoryDirectory, InMemoryYearFacts
from services.assessment.domain.assessment import ComputeAssessment, PublishAssessment, RecordMark, ReviewAssessment
from services.assessment.domain.rubric import DefineRubric, Rubric
from services.assessment.handlers import assessments
from tests.unit.assessment.handlers.support import CITY_ASSESSOR, OTHER_DISTRICT_ASSESSOR, unit_on
from tests.unit.assessment.test_assessment_flow import AS_OF, computed

RUBRIC = DefineRubric.model_validate({"dimensions": [{"code": "income_target", "weight": 50},
                                                     {"code": "task_progress", "weight": 30},
                                                     {"code": "presence", "weight": 20}],
                                      "params": {"presence_days_per_year": 30}})
APPROVE = ReviewAssessment(as_of=AS_OF, approved=True)


async def test_a_rubric_is_defined_until_the_year_is_published():
    uow = unit_on(date(2022, 1, 10))
    view = await assessments.define_rubric(uow, RUBRIC, year=2022)
    assert view["rubric_version"] == 1 and [d["code"] for d in view["dimensions"]] == [
        "income_target", "task_progress", "presence"]
    assert [type(e) for e in uow.events] == [RubricDefined]

    published = computed()
    published.review_latest(APPROVE, "assessor:zhao")
    published.publish(PublishAssessment(as_of=AS_OF))
    uow = unit_on(date(2023, 3, 1), published)
    with pytest.raises(Conflict):
        await assessments.define_rubric(uow, RUBRIC, year=2022)
    assert uow.events == []


async def test_the_latest_computation_is_reviewed_by_someone_else_then_published():
    uow = unit_on(date(2023, 2, 2), computed(by="assessor:wang"))
    reviewed = await assessments.review(uow, APPROVE, CITY_ASSESSOR, year=2022)
    assert reviewed == {"year": 2022, "as_of": "2023-01-31", "approved": True, "stream_version": 4}
    published = await assessments.publish(uow, PublishAssessment(as_of=AS_OF), year=2022)
    assert published["subjects"] == 1
    assert [type(e) for e in uow.events] == [AssessmentReviewed, AssessmentPublished]


async def test_the_computer_and_district_staff_may_not_review_and_nothing_unreviewed_is_published():
    uow = unit_on(date(2023, 2, 2), computed(by="assessor:zhao"))
    with pytest.raises(Forbidden):
        await assessments.review(uow, APPROVE, CITY_ASSESSOR, year=2022)
    with pytest.raises(Forbidden):
        await assessments.review(uow, APPROVE, OTHER_DISTRICT_ASSESSOR, year=2022)
    with pytest.raises(Conflict):
        await assessments.publish(uow, PublishAssessment(as_of=AS_OF), year=2022)
    assert uow.events == []


def defined() -> Rubric:
    rubric = Rubric("2022")
    rubric.define(RUBRIC)
    return rubric


async def test_a_mark_is_given_only_to_a_known_team_by_an_assessor_of_its_district():
    uow = unit_on(date(2023, 2, 2), defined())
    mark = RecordMark(subject_kind="team", subject_id="T-1", mark=Decimal(80))
    with pytest.raises(NeedsDatabase):  # no twin of the directory given
        await assessments.record_mark(uow, mark, CITY_ASSESSOR, year=2022)
    heard = uow.provide(PgDirectory, InMemoryDirectory({"120119001001": "120119"}))
    with pytest.raises(DomainError) as unknown:
        await assessments.record_mark(uow, mark, CITY_ASSESSOR, year=2022)
    assert unknown.value.field == "subject_id"
    heard.assign("T-1", "120119001001")
    with pytest.raises(Forbidden):
        await assessments.record_mark(uow, mark, OTHER_DISTRICT_ASSESSOR, year=2022)
    done = await assessments.record_mark(uow, mark, CITY_ASSESSOR, year=2022)
    assert done == {"year": 2022, "subject_kind": "team", "subject_id": "T-1", "mark": "80", "stream_version": 1}
    assert [type(e) for e in uow.events] == [AssessorMarkRecorded]


async def test_a_computation_is_recorded_under_the_watermarks_and_a_rerun_reproduces_it():
    uow = unit_on(date(2023, 2, 2), defined())
    facts = uow.provide(PgYearFacts, InMemoryYearFacts())
    facts.reached = {"assessment": 12, "registry": 30, "funding": 4}
    first = await assessments.compute(uow, ComputeAssessment(as_of=AS_OF), CITY_ASSESSOR, year=2022)
    assert (first["recorded"], first["cutoff"], first["rubric_version"]) == (
        True, {"assessment": 12, "registry": 30, "funding": 4}, 1)
    assert [type(e) for e in uow.events] == [AssessmentComputed]

    facts.reached = {"assessment": 13, "registry": 31, "funding": 4}  # more facts arrived since
    again = await assessments.compute(uow, ComputeAssessment(as_of=AS_OF), CITY_ASSESSOR, year=2022)
    assert (again["recorded"], again["reproduced"], again["cutoff"]) == (False, True, first["cutoff"])
    assert len(uow.events) == 1


async def test_a_rerun_waits_for_the_facts_to_reach_its_cutoff_and_district_staff_may_not_compute():
    uow = unit_on(date(2023, 2, 2), defined())
    facts = uow.provide(PgYearFacts, InMemoryYearFacts())
    facts.reached["registry"] = 30
    await assessments.compute(uow, ComputeAssessment(as_of=AS_OF), CITY_ASSESSOR, year=2022)
    facts.reached["registry"] = 29  # a rebuild under way
    with pytest.raises(FactsBehind) as behind:
        await assessments.compute(uow, ComputeAssessment(as_of=AS_OF), CITY_ASSESSOR, year=2022)
    assert behind.value.context["behind"] == {"registry": 1}
    with pytest.raises(Forbidden):
        await assessments.compute(uow, ComputeAssessment(as_of=AS_OF, refresh=True), OTHER_DISTRICT_ASSESSOR,
                                  year=2022)
    assert len(uow.events) == 1
