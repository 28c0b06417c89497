"""What the API says when it refuses: a returned computation points to ``refresh: true``, a day
without a catalogue points to ``as_of``, and an upload of too many files is refused whole."""

from __future__ import annotations

import pytest


from tests.integration.assessment.api import AS_OF, bearer, client, recorded_on, world_fixture
from tests.integration.assessment.scenario import ASSESSOR, REVIEWER, TEAM1, V1, year_2022
from tests.integration.assessment.world import CITY

ON = recorded_on("2023-02-01T10:00:00+08:00")


world = world_fixture("aan", year_2022)


async def test_after_a_review_sends_the_computation_back_the_409_points_to_refresh(world):
    async with client(world) as api:
        first = await api.post("/assessments/2022/compute", json=AS_OF, headers=bearer(ASSESSOR) | ON)
        assert first.status_code == 200, first.text
        returned = AS_OF | {"approved": False, "note": "收入数据待核实"}
        assert (await api.post("/assessments/2022/review", json=returned, headers=bearer(REVIEWER))).status_code == 200
        again = await api.post("/assessments/2022/review", json=AS_OF | {"approved": True}, headers=bearer(REVIEWER))
        publish = await api.post("/assessments/2022/publish", json=AS_OF, headers=bearer(CITY))
        for r in (again, publish):
            assert r.status_code == 409 and "refresh: true" in r.json()["detail"][0]["msg"], r.text
            assert r.json()["detail"][0]["loc"] == ["body", "as_of"]
        await world.sync()  # the review reached the facts: nothing to wait for
        fresh = await api.post("/assessments/2022/compute", json=AS_OF | {"refresh": True},
                               headers=bearer(ASSESSOR) | ON)
        assert fresh.status_code == 200 and fresh.json()["recorded"], fresh.text
        approved = await api.post("/assessments/2022/review", json=AS_OF | {"approved": True}, headers=bearer(REVIEWER))
        assert approved.status_code == 200, approved.text


async def test_a_day_without_a_catalogue_in_force_is_reported_on_the_as_of_parameter(world):
    async with client(world) as api:
        before = await api.get("/catalogue", params={"as_of": "2020-06-30"}, headers=bearer(CITY))
        in_force = await api.get("/catalogue", params={"as_of": "2021-01-01"}, headers=bearer(CITY))
    assert before.status_code == 404 and before.json()["detail"][0]["loc"] == ["query", "as_of"], before.text
    assert in_force.status_code == 200 and in_force.json()["catalogue_version"] == 1


@pytest.mark.parametrize(("count", "status"), [(50, 201), (51, 422)])
async def test_an_upload_of_more_than_50_files_is_refused_whole(world, count, status):
    plan = {"project_id": "P-F", "village_code": V1, "task_no": 4, "title": "村道", "planned_start": "2022-03-01",
            "planned_end": "2022-10-31",
            "milestones": [{"milestone_id": "m1", "title": "完工", "due_on": "2022-05-31"}]}
    async with client(world) as api:
        assert (await api.post("/projects", json=plan, headers=bearer(TEAM1))).status_code == 201
        files = [("files", (f"photo-{n}.png", f"photo {n}".encode(), "image/png")) for n in range(count)]
        r = await api.post("/projects/P-F/milestones/m1/report-files", data={"evidence_text": "完工"}, files=files,
                           headers=bearer(TEAM1) | {"X-Occurred-At": "2022-05-20T10:00:00+08:00"})
    assert r.status_code == status, r.text
    if status == 201:
        assert len(r.json()["evidence_sha256"]) == 50
    else:
        assert r.json()["detail"][0]["loc"] == ["body", "files"] and "50" in r.json()["detail"][0]["msg"]
        assert len(await world.store.read_stream(None, "project-P-F")) == 1  # planned, nothing reported
