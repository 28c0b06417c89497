"""A year of more results than one event may carry, through the real event store: recorded
inline the computation is refused (413); recorded in pages every event is under the limit
and the year loads back whole."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import orjson
import pytest

from shared.contracts.assessment import AssessmentComputed
from shared.eventstore import CommandMeta, EventStore
from shared.eventstore.errors import MAX_EVENT_BYTES, EventTooLarge
from tests.support.db import dispose, fresh_store_pool
from tests.support.assessment_results import AS_OF, results

from services.assessment.adapters.schema import CHAIN
from services.assessment.domain.assessment import Assessment, PublishAssessment, ReviewAssessment

SUBJECTS = results(teams=900, units=684)  # 1,600 with the 16 districts: about 0.9 MB inline


@pytest.fixture
async def store(settings):
    name, pool = await fresh_store_pool(settings, "apages", chain=CHAIN)
    yield EventStore(pool, "assessment")
    await dispose(settings, name, pool)


async def run(store: EventStore, actor: str, step) -> Assessment:
    async def handler(uow):
        assessment = await uow.load(Assessment, "2022")
        step(assessment)
        await uow.save(assessment)
        return assessment

    return (await store.execute("Test", {"n": str(uuid4())}, CommandMeta(actor=actor), handler, None)).result


def inline(assessment: Assessment) -> None:
    assessment.record(AssessmentComputed(year=2022, as_of=AS_OF, results=SUBJECTS, computed_by="assessor:wang"))


async def test_1600_subjects_recorded_in_pages_load_back_whole(store):
    assert len(SUBJECTS) == 1_600
    with pytest.raises(EventTooLarge) as refused:
        await run(store, "assessor:wang", inline)
    assert refused.value.status_code == 413 and await store.read_stream(None, "assessment-2022") == []

    await run(store, "assessor:wang", lambda a: a.computed(AS_OF, SUBJECTS, {"assessment": 0}, 1, a.applied,
                                                            "assessor:wang"))
    await run(store, "assessor:zhao", lambda a: a.review_latest(ReviewAssessment(as_of=AS_OF, approved=True),
                                                                 "assessor:zhao"))
    await run(store, "office", lambda a: a.publish(PublishAssessment(as_of=AS_OF)))

    events = await store.read_stream(None, "assessment-2022")
    assert [e.type for e in events] == [*["AssessmentResultsPage"] * 16, "AssessmentComputed", "AssessmentReviewed",
                                        *["AssessmentResultsPage"] * 16, "AssessmentPublished"]
    assert max(len(orjson.dumps(e.payload)) for e in events) <= MAX_EVENT_BYTES
    loaded = await run(store, "office", lambda a: None)
    assert loaded.latest.results == SUBJECTS and loaded.published.results == SUBJECTS
    assert loaded.version == len(events) == loaded.applied
