"""A milestone verified in assessment releases funding's tranche, through the real broker:
HTTP → assessment's store → relay → ``assessment.events`` → funding's reactor."""

from __future__ import annotations

import json
import time

import pytest
from aiokafka import AIOKafkaConsumer

from shared.contracts.assessment import MilestoneVerified
from shared.messaging.credentials import client_options
from tests.e2e.assessment.support import uid
from tests.e2e.funding.conftest import wait_for

pytestmark = pytest.mark.e2e


async def published(settings, event_type: str, project_id: str, timeout: float = 30) -> dict:
    consumer = AIOKafkaConsumer(settings.topic("assessment"), **client_options(settings),
                                auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    event = json.loads(record.value)
                    if event["type"] == event_type and event["payload"].get("project_id") == project_id:
                        return event
    finally:
        await consumer.stop()
    raise AssertionError(f"no {event_type} for {project_id} on {settings.topic('assessment')}")


async def planned_and_allocated(assessment, plan: dict, secretary: dict):
    """The project planned by the village's team, then funded with one tranche per milestone
    once funding has heard of it: (the plan's answer, funding's client, the allocation's body)."""
    created = await assessment.until_created("/projects", plan, secretary, "the team known to assessment")
    funding = assessment.funding
    line = await funding.line("10000.00")
    body = {"allocation_id": uid("A"), "line_id": line, "village_code": plan["village_code"], "amount": "1000.00",
            "project_id": plan["project_id"], "task_no": 1,
            "tranches": [{"tranche_no": 1, "amount": "400.00", "milestone_id": "M1"},
                         {"tranche_no": 2, "amount": "600.00", "milestone_id": "M2"}]}

    async def allocate():
        r = await funding.post("/allocations", body)
        return r if r.status_code == 201 else None

    await wait_for(allocate, "funding knows the planned project")
    return created, funding, body


async def test_a_verified_milestone_is_published_and_releases_the_tranche(assessment, settings, token):
    served = await assessment.village_with_team()
    village, secretary = served.village, served.secretary
    project = uid("P")
    plan = {"project_id": project, "village_code": village, "task_no": 1, "title": "食用菌大棚",
            "planned_start": "2022-01-01", "planned_end": "2022-12-31",
            "milestones": [{"milestone_id": "M1", "title": "开工", "due_on": "2022-03-31", "funding_share_pct": "40"},
                           {"milestone_id": "M2", "title": "投产", "due_on": "2022-09-30", "funding_share_pct": "60"}]}
    created, funding, body = await planned_and_allocated(assessment, plan, secretary)
    assert created.json()["action_code"] == "industry"
    allocation = body["allocation_id"]

    report = {"evidence_text": "大棚主体完工，附验收照片", "evidence_sha256": ["ab" * 32]}
    r = await assessment.post(f"/projects/{project}/milestones/M1/report", report,
                              secretary | {"X-Occurred-At": "2022-03-28T10:00:00+08:00"})
    assert r.status_code == 201, r.text
    started = time.monotonic()
    r = await assessment.post(f"/projects/{project}/milestones/M1/verify", None,
                              assessment.assessor | {"X-Occurred-At": "2022-03-30T10:00:00+08:00"})
    assert r.status_code == 200 and r.json()["verified_on"] == "2022-03-30", r.text

    event = await published(settings, "MilestoneVerified", project)
    contract = MilestoneVerified.model_validate(event["payload"])  # what funding decodes
    assert (contract.project_id, contract.milestone_id, contract.village_code, contract.district, contract.task_no,
            contract.verified_on.isoformat()) == (project, "M1", village, village[:6], 1, "2022-03-30")
    assert event["source"] == "assessment" and event["stream_id"] == f"project-{project}"

    async def tranche_payable():
        r = await funding.get(f"/allocations/{allocation}")
        return r.status_code == 200 and [t["tranche_no"] for t in r.json()["tranches"] if t["payable"]] == [1]

    await wait_for(tranche_payable, "tranche 1 released by funding")
    print(f"\nMilestoneVerified → tranche payable: {(time.monotonic() - started) * 1000:.0f} ms / 节点验收到放款")


async def test_a_cancelled_project_returns_its_unreleased_tranches_to_the_line(assessment, token):
    """HTTP cancel → assessment's relay → ``ProjectCancelled`` → funding's reactor → the line."""
    from shared.http.auth import Role

    served = await assessment.village_with_team()
    village, secretary = served.village, served.secretary
    project = uid("P")
    plan = {"project_id": project, "village_code": village, "task_no": 1, "title": "冷库",
            "planned_start": "2022-01-01", "planned_end": "2022-12-31",
            "milestones": [{"milestone_id": "M1", "title": "开工", "due_on": "2022-03-31"},
                           {"milestone_id": "M2", "title": "投产", "due_on": "2022-09-30"}]}
    _, funding, body = await planned_and_allocated(assessment, plan, secretary)
    allocation = body["allocation_id"]
    official = token(Role.district_official, subject="official-e2e", district=village[:6])
    refused = await assessment.post(f"/projects/{project}/cancel", {"reason": "x"}, official)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "reason"], refused.text
    key = {"Idempotency-Key": f"cancel-{project}"}
    done = await assessment.post(f"/projects/{project}/cancel", {"reason": "村集体决定终止"}, official | key)
    again = await assessment.post(f"/projects/{project}/cancel", {"reason": "村集体决定终止"}, official | key)
    assert done.status_code == 200 and again.json() == done.json(), done.text

    async def returned():
        r = await funding.get(f"/allocations/{allocation}")
        return r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["allocated"] == "0.00"

    await wait_for(returned, "the allocation's unreleased tranches back on the line")
    late = await funding.post("/allocations", body | {"allocation_id": uid("A")})
    assert late.status_code == 409 and late.json()["detail"][0]["loc"] == ["body", "project_id"], late.text
