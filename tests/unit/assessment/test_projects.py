"""Projects and milestones: planning rules, report → verify/return by someone else, overdue."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from shared.contracts.assessment import MilestoneReturned, MilestoneVerified, ProjectCompleted
from shared.eventstore.errors import Conflict, Forbidden
from services.assessment.domain.projects import PlanProject, Project, ReportMilestone, ReturnMilestone

TEAM, ASSESSOR = "first_secretary:li", "assessor:wang"


def plan_body(**change) -> dict:
    body = {"project_id": "p-1", "village_code": "120119001001", "task_no": 1, "title": "食用菌大棚",
            "planned_start": "2022-01-01", "planned_end": "2022-12-31",
            "milestones": [{"milestone_id": "m1", "title": "开工", "due_on": "2022-03-31", "funding_share_pct": "40"},
                           {"milestone_id": "m2", "title": "投产", "due_on": "2022-09-30", "funding_share_pct": "60"}]}
    return body | change


def planned() -> Project:
    project = Project("p-1")
    project.plan(PlanProject.model_validate(plan_body()), "120119", "industry")
    return project


EVIDENCE = ReportMilestone(evidence_text="大棚主体完工", evidence_sha256=["a" * 64])


def test_a_valid_plan_records_the_project_with_its_milestones():
    project = planned()
    event = project.pending[0]
    assert (event.district, event.action_code, [m.milestone_id for m in event.milestones]) == ("120119", "industry", ["m1", "m2"])


@pytest.mark.parametrize(("change", "message"), [
    ({"planned_end": "2021-12-31"}, "planned_end is before planned_start"),
    ({"milestones": [{"milestone_id": "m1", "title": "x", "due_on": "2023-01-01"}]}, "due outside"),
    ({"milestones": [{"milestone_id": "m1", "title": "x", "due_on": "2022-02-01", "funding_share_pct": "70"},
                     {"milestone_id": "m2", "title": "y", "due_on": "2022-03-01", "funding_share_pct": "31"}]}, "101"),
    ({"milestones": [{"milestone_id": "m1", "title": "x", "due_on": "2022-02-01"},
                     {"milestone_id": "m1", "title": "y", "due_on": "2022-03-01"}]}, "distinct"),
    ({"task_no": 20}, "less than or equal to 19"),
])
def test_an_inconsistent_plan_is_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        PlanProject.model_validate(plan_body(**change))


def test_a_project_id_is_planned_once():
    project = planned()
    with pytest.raises(Conflict):
        project.plan(PlanProject.model_validate(plan_body()), "120119", "industry")


def test_verified_milestone_carries_what_funding_needs_and_the_last_completes_the_project():
    project = planned()
    project.report("m1", EVIDENCE, TEAM, date(2022, 3, 20))
    project.verify("m1", ASSESSOR, date(2022, 3, 25))
    verified = project.pending[-1]
    assert isinstance(verified, MilestoneVerified)
    wire = verified.model_dump(mode="json")
    assert {k: wire[k] for k in ("project_id", "milestone_id", "village_code", "district", "task_no", "verified_on")} \
        == {"project_id": "p-1", "milestone_id": "m1", "village_code": "120119001001", "district": "120119",
            "task_no": 1, "verified_on": "2022-03-25"}
    assert project.completed_on is None
    project.report("m2", EVIDENCE, TEAM, date(2022, 9, 1))
    project.verify("m2", ASSESSOR, date(2022, 9, 2))
    assert isinstance(project.pending[-1], ProjectCompleted) and project.completed_on == date(2022, 9, 2)


def test_the_reporter_cannot_verify_or_return_their_own_report():
    project = planned()
    project.report("m1", EVIDENCE, TEAM, date(2022, 3, 20))
    with pytest.raises(Forbidden):
        project.verify("m1", "assessor:li", date(2022, 3, 21))  # same person under another role
    with pytest.raises(Forbidden):
        project.send_back("m1", ReturnMilestone(reason="不清楚"), TEAM, date(2022, 3, 21))


def test_only_a_reported_milestone_is_verified_and_a_returned_one_is_reported_again():
    project = planned()
    with pytest.raises(Conflict):
        project.verify("m1", ASSESSOR, date(2022, 3, 21))
    project.report("m1", EVIDENCE, TEAM, date(2022, 3, 20))
    with pytest.raises(Conflict):
        project.report("m1", EVIDENCE, TEAM, date(2022, 3, 20))
    project.send_back("m1", ReturnMilestone(reason="佐证不足"), ASSESSOR, date(2022, 3, 22))
    assert isinstance(project.pending[-1], MilestoneReturned) and project.milestones["m1"].status == "returned"
    project.report("m1", EVIDENCE, TEAM, date(2022, 3, 28))
    project.verify("m1", ASSESSOR, date(2022, 3, 29))
    with pytest.raises(Conflict):
        project.report("m1", EVIDENCE, TEAM, date(2022, 3, 30))


def test_overdue_from_the_day_after_the_due_date_until_verified():
    project = planned()
    m1 = project.milestones["m1"]  # due 2022-03-31
    assert not m1.is_overdue(date(2022, 3, 31))
    assert m1.is_overdue(date(2022, 4, 1))
    project.report("m1", EVIDENCE, TEAM, date(2022, 4, 2))
    assert m1.is_overdue(date(2022, 4, 3))  # reported is not verified
    project.verify("m1", ASSESSOR, date(2022, 4, 5))
    assert not m1.is_overdue(date(2022, 4, 5))
    assert m1.is_overdue(date(2022, 4, 4))  # as of a day before the verification it was still overdue
    assert [m.milestone_id for m in project.overdue(date(2022, 10, 1))] == ["m2"]
