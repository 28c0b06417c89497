"""The facts read model rebuilt from the broker equals the live one, and an assessment
computed before the rebuild re-runs to the same scores after it."""

from __future__ import annotations

import asyncio

import pytest

from shared.db import create_pool
from shared.projections import ProjectionRunner
from tests.e2e.assessment.support import uid
from tests.e2e.funding.conftest import wait_for

from services.assessment.projections.facts import AssessmentFacts

pytestmark = pytest.mark.e2e


async def quiet(assessment) -> dict:
    """Wait until the facts hold every event of the service and nothing moved for a second."""
    async def settled():
        before = (await assessment.get("/facts/status")).json()
        await asyncio.sleep(1.0)
        after = (await assessment.get("/facts/status")).json()
        own = after["watermarks"]["assessment"] >= after["own_events_committed"]
        return after if own and before == after else None

    return await wait_for(settled, "the facts to settle", timeout=120)


async def test_rebuilt_facts_equal_the_live_ones_and_a_rerun_still_matches(assessment, settings):
    served = await assessment.village_with_team(formed_at="2024-02-01T09:00:00+08:00")
    report = {"village_code": served.village, "year": 2024, "collective_income": "205000"}
    r = await assessment.post("/incomes/villages", report, served.secretary | {"X-Occurred-At": "2025-01-05T10:00:00+08:00"})
    assert r.status_code == 201, r.text
    rubric = {"dimensions": [{"code": "income_target", "weight": 70}, {"code": "presence", "weight": 30}]}
    assert (await assessment.put_rubric(2024, rubric)).status_code == 200
    await quiet(assessment)
    first = await assessment.post("/assessments/2024/compute", {"as_of": "2025-01-31"}, assessment.assessor)
    assert first.status_code == 200 and first.json()["recorded"], first.text
    mine = next(s for s in first.json()["results"] if s["subject_id"] == served.team)
    assert mine["scores"]["income_target"] == "100.00", mine

    pool = await create_pool(settings.dsn("assessment"), max_size=2)
    try:
        runner = ProjectionRunner(pool, AssessmentFacts(), {s: settings.topic(s) for s in AssessmentFacts.sources})
        for _ in range(3):  # the relay's chain checkpoints may arrive meanwhile: then compare again
            await quiet(assessment)
            live = await runner.snapshot()
            assert await runner.rebuild(settings) > 0
            await quiet(assessment)
            rebuilt = await runner.snapshot()
            if rebuilt["af.watermarks"] == live["af.watermarks"]:
                break
    finally:
        await pool.close()
    assert rebuilt == live, {t: (len(live[t]), len(rebuilt[t])) for t in live if live[t] != rebuilt[t]}

    later = {"village_code": served.village, "year": 2024, "collective_income": "100000", "note": uid("更正")}
    assert (await assessment.post("/incomes/villages", later, served.secretary | {
        "X-Occurred-At": "2025-01-20T10:00:00+08:00"})).status_code == 201
    again = await assessment.post("/assessments/2024/compute", {"as_of": "2025-01-31"}, assessment.assessor)
    assert again.json()["reproduced"] is True and again.json()["results"] == first.json()["results"], again.text
