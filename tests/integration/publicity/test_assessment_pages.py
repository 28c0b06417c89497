"""A publication of more results than one event may carry: its pages, fed to publicity's
projections, publish the same results and grade counts as the same results published inline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.contracts import assessment as A
from shared.eventstore import CATALOGUE

from services.assessment.domain.assessment import Assessment, PublishAssessment, ReviewAssessment
from services.publicity.adapters.schema import CHAIN
from services.publicity.domain.asof import parse_as_of
from services.publicity.queries.assessment import assessment
from tests.integration.publicity.model import Feeder
from tests.integration.publicity.scenario import Step
from tests.support.assessment_results import AS_OF, results
from tests.support.db import dispose, fresh_store_pool

SUBJECTS = results(teams=900, units=684)  # 1,600: about 0.9 MB in one event


@pytest.fixture
async def fed(settings):
    name, pool = await fresh_store_pool(settings, "pubapages", max_size=4, chain=CHAIN)
    yield Feeder(pool), pool
    await dispose(settings, name, pool)


def paged_year(year: int) -> list[A.AssessmentResultsPage | A.AssessmentPublished]:
    year_of = Assessment(str(year))
    year_of.computed(AS_OF.replace(year=year + 1), SUBJECTS, {}, 1, 0, "assessor:wang")
    year_of.review_latest(ReviewAssessment(as_of=AS_OF.replace(year=year + 1), approved=True), "assessor:zhao")
    year_of.publish(PublishAssessment(as_of=AS_OF.replace(year=year + 1)))
    return year_of.pending


async def test_a_paged_publication_of_1600_subjects_publishes_what_an_inline_one_does(fed):
    feeder, pool = fed
    inline = CATALOGUE.decode("AssessmentPublished", 1, {  # a year published before paging (v1)
        "year": 2021, "as_of": "2022-01-31", "results": [r.model_dump(mode="json") for r in SUBJECTS]})
    paged = paged_year(2022)
    assert sum(isinstance(e, A.AssessmentResultsPage) and e.step == "published" for e in paged) == 16
    at = datetime(2023, 2, 1, tzinfo=UTC)
    await feeder.feed([Step("assessment", "assessment-2021", at, inline),
                       *(Step("assessment", "assessment-2022", at, e) for e in paged)])

    async with pool.acquire() as conn:
        asof = parse_as_of("2023-12-31", now=None)  # type: ignore[arg-type]
        before, after = await assessment(conn, asof, 2021), await assessment(conn, asof, 2022)
    assert after["years"] == [2021, 2022] and len(after["results"]) == len(SUBJECTS)
    assert after["results"] == before["results"] and after["grades"] == before["grades"]
    assert sum(after["grades"]["team"].values()) == 900 and sum(after["grades"]["district"].values()) == 16
