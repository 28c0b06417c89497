"""Re-planning and cancelling through the routes on the real PostgreSQL: who may, the 4xx
with the field at fault (nothing written), and a retried command (same Idempotency-Key)
that has its effect once."""

from __future__ import annotations

from shared.http.auth import Principal, Role

from tests.integration.assessment.api import bearer, client, recorded_on, world_fixture
from tests.integration.assessment.scenario import TEAM1, V1, year_2022

OFFICIAL = Principal(subject="zhang", role=Role.district_official, district="120119")
ELSEWHERE = Principal(subject="sun", role=Role.district_official, district="120110")
ON = recorded_on("2022-08-01T10:00:00+08:00")

world = world_fixture("plc", year_2022)


async def stream(world, project_id: str) -> list[str]:
    return [e.type for e in await world.store.read_stream(None, f"project-{project_id}")]


async def test_replan_and_cancel_a_milestone_and_a_project(world):
    async with client(world) as api:
        before = await stream(world, "P-1")
        refused = [
            await api.post("/projects/P-1/milestones/m1/cancel", json={"reason": "不需要了"},
                           headers=bearer(OFFICIAL) | ON),  # m1 is verified
            await api.post("/projects/P-1/milestones/m2/replan", json={"due_on": "2023-03-01", "reason": "延期"},
                           headers=bearer(OFFICIAL)),  # after the project's end
            await api.post("/projects/P-1/replan", json={"reason": "调整"}, headers=bearer(OFFICIAL)),
            await api.post("/projects/P-1/cancel", json={"reason": "x"}, headers=bearer(OFFICIAL)),
            await api.post("/projects/P-1/cancel", json={"reason": "终止"}, headers=bearer(TEAM1)),
            await api.post("/projects/P-1/cancel", json={"reason": "终止"}, headers=bearer(ELSEWHERE)),
            await api.post("/projects/P-404/cancel", json={"reason": "终止"}, headers=bearer(OFFICIAL)),
        ]
        answers = [(r.status_code, r.json()["detail"][0]["loc"][-1]) for r in refused]
        assert answers == [(409, "milestone_id"), (422, "due_on"), (422, "body"), (422, "reason"),
                           (403, "Authorization"), (403, "district"), (404, "project_id")], [r.text for r in refused]
        assert await stream(world, "P-1") == before  # nothing written

        moved = await api.post("/projects/P-1/milestones/m2/replan", json={"due_on": "2022-11-30", "reason": "设备延期"},
                               headers=bearer(TEAM1) | {"Idempotency-Key": "rp-1"})
        assert moved.status_code == 200 and moved.json()["milestones"][1]["due_on"] == "2022-11-30", moved.text
        again = await api.post("/projects/P-1/milestones/m2/replan",
                               json={"due_on": "2022-11-30", "reason": "设备延期"},
                               headers=bearer(TEAM1) | {"Idempotency-Key": "rp-1"})
        assert again.status_code == 200 and again.json() == moved.json()
        cancelled = await api.post("/projects/P-1/cancel", json={"reason": "村集体决定终止"},
                                   headers=bearer(OFFICIAL) | ON | {"Idempotency-Key": "cp-1"})
        assert cancelled.status_code == 200 and cancelled.json()["cancelled_on"] == "2022-08-01", cancelled.text
        replay = await api.post("/projects/P-1/cancel", json={"reason": "村集体决定终止"},
                                headers=bearer(OFFICIAL) | ON | {"Idempotency-Key": "cp-1"})
        assert replay.status_code == 200 and replay.json() == cancelled.json()
        assert (await stream(world, "P-1"))[len(before):] == ["MilestoneReplanned", "ProjectCancelled"]
        twice = await api.post("/projects/P-1/cancel", json={"reason": "再次"}, headers=bearer(OFFICIAL))
        report = await api.post("/projects/P-1/milestones/m2/report", json={"evidence_text": "完成"},
                                headers=bearer(TEAM1))
        assert (twice.status_code, report.status_code) == (409, 409)
        view = (await api.get("/projects/P-1", headers=bearer(OFFICIAL))).json()
        assert [m["status"] for m in view["milestones"]] == ["verified", "cancelled"]
        assert V1 == view["village_code"]


# Its own world: the module's is changed by the test above.
cancelled_world = world_fixture("plc2", year_2022)


async def test_cancelled_milestones_leave_overdue_lists_and_task_progress(cancelled_world):
    from tests.integration.assessment.scenario import ASSESSOR

    w = cancelled_world
    async with client(w) as api:
        before = (await api.get("/milestones/overdue", params={"as_of": "2022-10-15"}, headers=bearer(OFFICIAL))).json()
        assert before["total"] == 1  # P-1's m2, due 2022-09-30
        first = await api.post("/assessments/2022/compute", json={"as_of": "2023-01-31"},
                               headers=bearer(ASSESSOR) | recorded_on("2023-02-01T10:00:00+08:00"))
        team = next(r for r in first.json()["results"] if r["subject_id"] == "T-1")
        assert team["basis"]["task_progress"] == "1.00/2.00", team["basis"]
        r = await api.post("/projects/P-1/milestones/m2/cancel", json={"reason": "投产计划取消"},
                           headers=bearer(OFFICIAL) | ON)
        assert r.status_code == 200 and r.json()["completed_on"] == "2022-08-01", r.text  # m1 verified: complete
        await w.sync()
        after = (await api.get("/milestones/overdue", params={"as_of": "2022-10-15"}, headers=bearer(OFFICIAL))).json()
        assert after["total"] == 0
        summary = (await api.get("/projects/summary", params={"as_of": "2022-10-15"}, headers=bearer(OFFICIAL))).json()
        assert [(t["projects"], t["done"], t["overdue_milestones"]) for t in summary["tasks"]] == [(1, 1, 0)]
        fresh = await api.post("/assessments/2022/compute", json={"as_of": "2023-01-31", "refresh": True},
                               headers=bearer(ASSESSOR) | recorded_on("2023-02-01T10:00:00+08:00"))
        team = next(r for r in fresh.json()["results"] if r["subject_id"] == "T-1")
        assert team["basis"]["task_progress"] == "1.00/1.00", team["basis"]
