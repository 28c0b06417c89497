"""Who may download an evidence file — the villages and districts it was reported for — is
projected from ``MilestoneReported`` into the facts, so rebuilding the facts from the log
recreates it: the same rows and the same answers as before."""

from __future__ import annotations

from datetime import date

import pytest

from shared.http.auth import Principal, Role

from services.assessment.adapters.evidence import EvidenceFile
from services.assessment.domain.projects import PlanProject, ReportMilestone, ReturnMilestone
from services.assessment.handlers import projects
from tests.integration.assessment.api import bearer, client
from tests.integration.assessment.scenario import ASSESSOR, TEAM1, TEAM9, V9, another_district, year_2022
from tests.integration.assessment.world import World, fresh_world

OFFICIAL_120110 = Principal(subject="han", role=Role.district_official, district="120110")
OFFICIAL_120119 = Principal(subject="sun", role=Role.district_official, district="120119")
ROAD, BRIDGE = (EvidenceFile(f"{name}.png", "image/png", f"\x89PNG {name}".encode()) for name in ("road", "bridge"))


async def reported_twice(world: World) -> None:
    """Village nine's milestone reported with one file, sent back, and reported with another."""
    plan = PlanProject.model_validate({
        "project_id": "P-9", "village_code": V9, "task_no": 4, "title": "村道", "planned_start": "2022-03-01",
        "planned_end": "2022-10-31", "milestones": [{"milestone_id": "m1", "title": "完工", "due_on": "2022-05-31"}]})
    await world.command(lambda uow: projects.plan_project(uow, plan, TEAM9), principal=TEAM9, day=date(2022, 3, 1))
    await world.sync()
    for day, photo in ((date(2022, 5, 20), ROAD), (date(2022, 5, 25), BRIDGE)):
        report = ReportMilestone(evidence_text="路面完工")
        await world.command(
            lambda uow, photo=photo: projects.report_milestone(uow, report, TEAM9, [photo], project_id="P-9",
                                                                milestone_id="m1"),
            principal=TEAM9, day=day)
        if photo is ROAD:
            send_back = ReturnMilestone(reason="照片不清晰")
            await world.command(lambda uow: projects.return_milestone(uow, send_back, ASSESSOR, project_id="P-9",
                                                                        milestone_id="m1"),
                                principal=ASSESSOR, day=date(2022, 5, 22))
    await world.sync()


@pytest.fixture
async def world(settings):
    async with fresh_world(settings, "aeu", year_2022, another_district, reported_twice) as world:
        yield world


async def uses(world: World) -> list[tuple]:
    async with world.pool.acquire() as conn:
        return [tuple(r) for r in await conn.fetch(
            "select sha256, project_id, milestone_id, position from af.evidence_uses order by sha256, project_id")]


async def downloads(world: World) -> dict[tuple[str, str], int]:
    async with client(world) as api:
        return {(who.subject, photo.filename):
                (await api.get(f"/evidence/{photo.sha256}", headers=bearer(who))).status_code
                for who in (TEAM9, OFFICIAL_120110, TEAM1, OFFICIAL_120119) for photo in (ROAD, BRIDGE)}


async def test_a_rebuild_of_the_facts_recreates_who_may_download_evidence(world):
    live, answers = await uses(world), await downloads(world)
    assert sorted((sha, milestone) for sha, project, milestone, _ in live if project == "P-9") == sorted(
        [(ROAD.sha256, "m1"), (BRIDGE.sha256, "m1")])  # both reports' files (P-1's hash is the scenario's)
    assert answers == {(who, photo): 200 if who in ("qin", "han") else 403
                       for who in ("qin", "han", "li", "sun") for photo in ("road.png", "bridge.png")}

    await world.rebuild_facts(("registry", "funding"))  # half-way: assessment's own events not yet replayed
    assert await uses(world) == []
    assert (await downloads(world))[("qin", "road.png")] == 403  # nothing says where the file was reported yet

    await world.rebuild_facts(("assessment",), empty=False)
    assert await uses(world) == live
    assert await downloads(world) == answers
