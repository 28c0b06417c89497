"""A year with more results than one event may carry: computation and publication are recorded
in pages, no event is above the store's limit, and the aggregate (and publicity's facts) see
the whole results, exactly as from a year recorded inline (version 1)."""

from __future__ import annotations

from decimal import Decimal

import orjson

from shared.contracts import assessment as contracts
from shared.eventstore import CATALOGUE
from shared.eventstore.errors import MAX_EVENT_BYTES
from services.assessment.domain.assessment import Assessment, PublishAssessment, RecordMark, ReviewAssessment
from services.publicity.projections.facts import facts_of
from tests.support.assessment_results import AS_OF, DIMENSIONS, results


def stored_size(event) -> int:
    """As the event store measures it: the payload as JSON (orjson of the JSON-mode dump)."""
    return len(orjson.dumps(event.model_dump(mode="json")))


def replayed(events) -> Assessment:
    """Back from the stored form: each event's JSON payload decoded (and upcast) by the catalogue."""
    return Assessment.rehydrate("2022", [CATALOGUE.decode(e.event_type, e.version, e.model_dump(mode="json"))
                                         for e in events])


def paged_year(subjects: list[contracts.AssessmentScore]) -> Assessment:
    assessment = Assessment("2022")
    assessment.mark(RecordMark(subject_kind="team", subject_id="team-0001", mark=Decimal(80)), "assessor:wang")
    assessment.computed(AS_OF, subjects, {"assessment": 10}, 1, assessment.applied, "assessor:wang")
    assessment.review_latest(ReviewAssessment(as_of=AS_OF, approved=True), "assessor:zhao")
    assessment.publish(PublishAssessment(as_of=AS_OF))
    return assessment


def test_the_whole_programme_is_recorded_in_pages_none_above_the_limit():
    subjects = results()
    assert len(subjects) == 896  # the Tianjin demo's size: 0.5 MB of results inline
    assert stored_size(contracts.AssessmentComputed(year=2022, as_of=AS_OF, results=subjects)) > MAX_EVENT_BYTES
    assessment = paged_year(subjects)
    pages = -(-len(subjects) // contracts.RESULTS_PAGE_SIZE)
    assert [type(e) for e in assessment.pending] == [
        contracts.AssessorMarkRecorded, *[contracts.AssessmentResultsPage] * pages, contracts.AssessmentComputed,
        contracts.AssessmentReviewed, *[contracts.AssessmentResultsPage] * pages, contracts.AssessmentPublished]
    assert max(stored_size(e) for e in assessment.pending) <= MAX_EVENT_BYTES
    computed, published = assessment.pending[pages + 1], assessment.pending[-1]
    assert (computed.pages, computed.results, published.pages, published.results) == (pages, [], pages, [])
    steps = [(e.step, e.page, e.pages) for e in assessment.pending if isinstance(e, contracts.AssessmentResultsPage)]
    assert steps == [*(("computed", n, pages) for n in range(1, pages + 1)),
                     *(("published", n, pages) for n in range(1, pages + 1))]

    for whole in (assessment, replayed(assessment.pending)):
        assert whole.latest.results == subjects and whole.computations[AS_OF].results == subjects
        assert whole.published.results == subjects
        assert whole.latest.computed_by == "assessor:wang" and whole.latest.cutoff == {"assessment": 10}
        assert whole.review.approved and whole.applied == len(assessment.pending)


def test_marks_counted_by_stream_version_with_pages_in_the_stream():
    assessment = paged_year(results())
    assessment_after = replayed(assessment.pending)
    assert assessment_after.marks_through(assessment_after.latest.marks_through) == {
        ("team", "team-0001"): Decimal("80.00")}


def test_a_page_of_the_longest_rows_stays_far_under_the_limit():
    longest = contracts.AssessmentScore(subject_kind="team", subject_id="t" * 64,
                                        scores=dict.fromkeys(DIMENSIONS, Decimal(100)), total=Decimal(100), grade="优秀",
                                        basis=dict.fromkeys(DIMENSIONS, "不适用（无应完成项）/ not applicable: nothing expected"))
    page = contracts.AssessmentResultsPage(year=2022, as_of=AS_OF, step="published", page=1, pages=1,
                                           results=[longest] * contracts.RESULTS_PAGE_SIZE)
    assert stored_size(page) <= MAX_EVENT_BYTES // 2


def test_results_that_fit_one_page_stay_inline():
    subjects = results(teams=60, units=20)
    assessment = paged_year(subjects)
    assert [type(e) for e in assessment.pending] == [
        contracts.AssessorMarkRecorded, contracts.AssessmentComputed, contracts.AssessmentReviewed,
        contracts.AssessmentPublished]
    assert assessment.pending[1].results == subjects and assessment.pending[1].pages == 0
    assert replayed(assessment.pending).published.results == subjects


def test_version_1_steps_upcast_with_their_results_inline():
    subjects = results(teams=150, units=100)  # more than a page: v1 had no bound
    rows = [r.model_dump(mode="json") for r in subjects]
    computed = CATALOGUE.decode("AssessmentComputed", 1, {
        "year": 2022, "as_of": "2023-01-31", "results": rows, "cutoff": {"assessment": 3}, "rubric_version": 1,
        "marks_through": 0, "computed_by": "assessor:wang"})
    published = CATALOGUE.decode("AssessmentPublished", 1, {"year": 2022, "as_of": "2023-01-31", "results": rows})
    assert type(computed) is contracts.AssessmentComputed and (computed.pages, computed.results) == (0, subjects)
    assert type(published) is contracts.AssessmentPublished and (published.pages, published.results) == (0, subjects)
    review = contracts.AssessmentReviewed(year=2022, as_of=AS_OF, approved=True, reviewed_by="assessor:zhao")
    assessment = Assessment.rehydrate("2022", [computed, review, published])
    assert assessment.latest.results == subjects and assessment.published.results == subjects


def test_publicity_states_the_same_facts_from_a_paged_publication_as_from_an_inline_one():
    subjects = results()
    inline = facts_of(contracts.AssessmentPublished(year=2022, as_of=AS_OF, results=subjects))
    paged = [f for e in paged_year(subjects).pending for f in facts_of(e)]  # computation pages state none
    assert len(inline) == len(subjects)
    assert paged == inline
