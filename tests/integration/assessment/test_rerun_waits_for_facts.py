"""A re-run reads the facts under the cut-off its computation recorded, so it must wait
until the facts are back up to that cut-off (after a rebuild or a restore, behind a lagging
worker): a bounded wait, then a 503 with Retry-After — never a wrong "not reproduced"."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest


from services.assessment.adapters.facts import FactsBehind
from services.assessment.config import AssessmentSettings
from services.assessment.domain.assessment import ComputeAssessment
from services.assessment.entrypoints.routes import assessments as routes
from services.assessment.handlers import assessments
from tests.integration.assessment.api import AS_OF, bearer, client, recorded_on, world_fixture
from tests.integration.assessment.scenario import ASSESSOR, year_2022
from tests.integration.assessment.world import World

ON = recorded_on("2023-02-10T10:00:00+08:00")


world = world_fixture("arw", year_2022)


def waiting(monkeypatch, seconds: float) -> None:
    monkeypatch.setattr(routes, "assessment_settings", lambda: AssessmentSettings(facts_wait_seconds=seconds))


async def compute(world: World) -> dict:
    cmd = ComputeAssessment(as_of=date(2023, 1, 31))
    return await world.command(lambda uow: assessments.compute(uow, cmd, ASSESSOR, year=2022), principal=ASSESSOR,
                               day=date(2023, 2, 10))


async def test_a_rerun_while_the_facts_are_rebuilt_is_refused_until_they_reach_its_cutoff(world):
    first = await compute(world)
    await world.rebuild_facts(("registry", "funding"))  # half-way: assessment's own facts not yet back
    version = len(await world.store.read_stream(None, "assessment-2022"))
    with pytest.raises(FactsBehind) as behind:
        await compute(world)
    assert behind.value.status_code == 503 and behind.value.field == "as_of"
    assert behind.value.context["behind"] == {"assessment": first["cutoff"]["assessment"]}
    assert len(await world.store.read_stream(None, "assessment-2022")) == version  # nothing recorded

    await world.rebuild_facts(("assessment",), empty=False)
    again = await compute(world)
    assert again["reproduced"] is True and again["results"] == first["results"]


async def test_the_api_answers_503_with_retry_after_once_its_bounded_wait_runs_out(world, monkeypatch):
    waiting(monkeypatch, 0.3)
    async with client(world) as api:
        headers = bearer(ASSESSOR) | ON
        first = await api.post("/assessments/2022/compute", json=AS_OF, headers=headers)
        assert first.status_code == 200 and first.json()["recorded"], first.text
        await world.rebuild_facts(("funding", "assessment"))  # registry's facts not yet back
        r = await api.post("/assessments/2022/compute", json=AS_OF, headers=headers)
    assert r.status_code == 503 and r.headers["Retry-After"].isdigit(), r.text
    refusal = r.json()["detail"][0]
    assert refusal["loc"] == ["body", "as_of"] and "registry" in refusal["msg"] and refusal["type"] == "FactsBehind"
    assert set(refusal["ctx"]["behind"]) == {"registry"} and refusal["ctx"]["behind"]["registry"] > 0


async def test_the_api_waits_for_the_facts_to_catch_up_and_then_reproduces(world, monkeypatch):
    waiting(monkeypatch, 20)
    async with client(world) as api:
        headers = bearer(ASSESSOR) | ON
        first = await api.post("/assessments/2022/compute", json=AS_OF, headers=headers)
        await world.sync()  # the computation's own event reached the facts: only the rebuild holds it back
        await world.rebuild_facts(("assessment", "funding"))

        async def catch_up_later() -> None:
            await asyncio.sleep(0.5)
            await world.rebuild_facts(("registry",), empty=False)

        catching_up = asyncio.create_task(catch_up_later())
        r = await api.post("/assessments/2022/compute", json=AS_OF, headers=headers)
        await catching_up
    assert r.status_code == 200 and r.json()["reproduced"] is True, r.text
    assert r.json()["results"] == first.json()["results"]
