"""Defining a rubric, reviewing and publishing a year through the handlers, without PostgreSQL
(computing and marking read the facts and the directory: the integration tests' job)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.contracts.assessment import AssessmentPublished, AssessmentReviewed, RubricDefined
from shared.eventstore.errors import Conflict, Forbidden
from shared.eventstore.memory import NeedsDatabase

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


async def test_marking_and_computing_read_the_services_tables():
    rubric = Rubric("2022")
    rubric.define(RUBRIC)
    uow = unit_on(date(2023, 2, 2), rubric)
    with pytest.raises(NeedsDatabase):
        await assessments.record_mark(uow, RecordMark(subject_kind="team", subject_id="T-1", mark=Decimal(80)),
                                      CITY_ASSESSOR, year=2022)
    with pytest.raises(NeedsDatabase):
        await assessments.compute(uow, ComputeAssessment(as_of=AS_OF), CITY_ASSESSOR, year=2022)
