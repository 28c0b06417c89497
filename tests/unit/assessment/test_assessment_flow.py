"""A year's assessment: marks counted up to the computation, four eyes on review, publish
only what was approved, nothing changes after publication."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.contracts.assessment import AssessmentScore
from shared.eventstore.errors import Conflict, DomainError, Forbidden
from services.assessment.domain.assessment import (
    Assessment,
    ComputeAssessment,
    PublishAssessment,
    RecordMark,
    ReviewAssessment,
)

AS_OF = date(2023, 1, 31)
RESULT = [AssessmentScore(subject_kind="team", subject_id="T-1", scores={"coverage": Decimal(90)},
                          total=Decimal(90), grade="优秀")]


def computed(by: str = "assessor:wang") -> Assessment:
    assessment = Assessment("2022")
    assessment.mark(RecordMark(subject_kind="team", subject_id="T-1", mark=Decimal(80)), "assessor:wang")
    assessment.mark(RecordMark(subject_kind="team", subject_id="T-1", mark=Decimal(91)), "assessor:zhao")
    assessment.computed(AS_OF, RESULT, {"assessment": 10}, 1, assessment.applied, by)
    return assessment


def test_marks_are_the_mean_of_each_assessors_latest_up_to_the_computation():
    assessment = computed()
    assessment.mark(RecordMark(subject_kind="team", subject_id="T-1", mark=Decimal(0)), "assessor:zhao")
    counted = assessment.latest.marks_through
    assert assessment.marks_through(counted) == {("team", "T-1"): Decimal("85.50")}
    assert assessment.marks_through(assessment.applied) == {("team", "T-1"): Decimal("40.00")}


def test_the_day_must_fall_in_or_after_the_year_and_not_in_the_future():
    assessment = Assessment("2022")
    with pytest.raises(DomainError):
        assessment.check_day(ComputeAssessment(as_of=date(2021, 12, 31)), date(2023, 2, 1))
    with pytest.raises(DomainError):
        assessment.check_day(ComputeAssessment(as_of=date(2023, 2, 2)), date(2023, 2, 1))
    assessment.check_day(ComputeAssessment(as_of=AS_OF), date(2023, 2, 1))


def test_review_by_someone_else_then_publish():
    assessment = computed()
    with pytest.raises(Forbidden):
        assessment.review_latest(ReviewAssessment(as_of=AS_OF, approved=True), "city_office:wang")
    with pytest.raises(Conflict):
        assessment.publish(PublishAssessment(as_of=AS_OF))  # not reviewed
    with pytest.raises(Conflict):
        assessment.review_latest(ReviewAssessment(as_of=date(2023, 1, 1), approved=True), "assessor:zhao")
    assessment.review_latest(ReviewAssessment(as_of=AS_OF, approved=True), "assessor:zhao")
    assessment.publish(PublishAssessment(as_of=AS_OF))
    assert assessment.published.results == RESULT
    with pytest.raises(Conflict):
        assessment.mark(RecordMark(subject_kind="team", subject_id="T-1", mark=Decimal(1)), "assessor:zhao")
    with pytest.raises(Conflict):
        assessment.check_day(ComputeAssessment(as_of=AS_OF, refresh=True), date(2023, 3, 1))
    assessment.check_day(ComputeAssessment(as_of=AS_OF), date(2023, 3, 1))  # a re-run stays possible


def test_a_returned_review_blocks_publication_until_recomputed_and_approved():
    assessment = computed()
    assessment.review_latest(ReviewAssessment(as_of=AS_OF, approved=False, note="评分依据不足"), "assessor:zhao")
    with pytest.raises(Conflict):
        assessment.publish(PublishAssessment(as_of=AS_OF))
    assessment.computed(AS_OF, RESULT, {"assessment": 12}, 1, assessment.applied, "assessor:wang")
    assessment.review_latest(ReviewAssessment(as_of=AS_OF, approved=True), "assessor:zhao")
    assessment.publish(PublishAssessment(as_of=AS_OF))
