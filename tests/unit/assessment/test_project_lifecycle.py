"""Re-planning and cancelling projects and milestones: what is allowed, what is refused (and
with which status and field), and what the events carry for funding and publicity."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from shared.contracts.assessment import (
    MilestoneCancelled,
    MilestoneReplanned,
    ProjectCancelled,
    ProjectCompleted,
    ProjectReplanned,
)
from shared.eventstore.errors import Conflict, DomainError

from services.assessment.domain.projects import ReplanMilestone, ReplanProject
from tests.unit.assessment.test_projects import ASSESSOR, EVIDENCE, TEAM, planned

OFFICIAL = "district_official:zhang"


def verified_m1():
    project = planned()
    project.report("m1", EVIDENCE, TEAM, date(2022, 3, 20))
    project.verify("m1", ASSESSOR, date(2022, 3, 25))
    return project


def test_a_project_is_replanned_within_its_milestones_and_a_milestone_within_the_period():
    project = planned()
    project.replan(ReplanProject(planned_end="2023-06-30", reason="工期延长"), OFFICIAL)
    event = project.pending[-1]
    assert isinstance(event, ProjectReplanned)
    assert (event.planned_start, event.planned_end, event.title) == (date(2022, 1, 1), date(2023, 6, 30), "食用菌大棚")
    project.replan_milestone("m2", ReplanMilestone(due_on="2023-05-31", reason="设备延期"), OFFICIAL)
    assert isinstance(project.pending[-1], MilestoneReplanned) and project.milestones["m2"].due_on == date(2023, 5, 31)
    assert not project.milestones["m2"].is_overdue(date(2022, 12, 1))
    with pytest.raises(DomainError, match="m2") as err:  # m2 would fall after the new end
        project.replan(ReplanProject(planned_end="2022-12-31", reason="压缩工期"), OFFICIAL)
    assert err.value.field == "planned_end" and err.value.status_code == 422
    with pytest.raises(DomainError) as err:
        project.replan_milestone("m1", ReplanMilestone(due_on="2024-01-01", reason="x" * 3), OFFICIAL)
    assert err.value.field == "due_on"


@pytest.mark.parametrize(("model", "body", "message"), [
    (ReplanProject, {"reason": "调整"}, "at least one"),
    (ReplanProject, {"planned_start": "2022-05-01", "planned_end": "2022-04-01", "reason": "调整"}, "before"),
    (ReplanProject, {"title": "新名称"}, "reason"),
    (ReplanMilestone, {"reason": "调整"}, "at least one"),
    (ReplanMilestone, {"due_on": "2022-13-01", "reason": "调整"}, "due_on"),
])
def test_bad_replans_are_refused_by_field(model, body, message):
    with pytest.raises(ValidationError, match=message):
        model.model_validate(body)


def test_a_verified_milestone_is_neither_replanned_nor_cancelled():
    project = verified_m1()
    for act in (lambda: project.cancel_milestone("m1", "不需要", OFFICIAL, date(2022, 4, 1)),
                lambda: project.replan_milestone("m1", ReplanMilestone(title="新", reason="调整"), OFFICIAL)):
        with pytest.raises(Conflict, match="verified") as err:
            act()
        assert err.value.field == "milestone_id" and err.value.status_code == 409


def test_cancelling_a_project_cancels_its_unverified_milestones_and_ends_its_lifecycle():
    project = verified_m1()
    assert project.cancel("村集体决定终止", OFFICIAL, date(2022, 5, 1)) == ["m2"]
    event = project.pending[-1]
    assert isinstance(event, ProjectCancelled)
    assert (event.cancelled_milestone_ids, event.task_no, event.cancelled_by) == (["m2"], 1, OFFICIAL)
    assert project.milestones["m1"].status == "verified" and project.milestones["m2"].status == "cancelled"
    assert not project.milestones["m2"].is_overdue(date(2023, 1, 1))
    for act in (lambda: project.cancel("再撤销", OFFICIAL, date(2022, 5, 2)),
                lambda: project.replan(ReplanProject(title="新", reason="调整"), OFFICIAL),
                lambda: project.report("m2", EVIDENCE, TEAM, date(2022, 6, 1))):
        with pytest.raises(Conflict, match="cancelled"):
            act()


def test_cancelling_the_last_open_milestone_completes_a_project_whose_others_are_verified():
    project = verified_m1()
    with pytest.raises(Conflict, match="cancel the project"):
        fresh = planned()
        fresh.cancel_milestone("m1", "不做了", OFFICIAL, date(2022, 4, 1))
        fresh.cancel_milestone("m2", "不做了", OFFICIAL, date(2022, 4, 1))
    project.cancel_milestone("m2", "投产取消", OFFICIAL, date(2022, 6, 1))
    assert [type(e) for e in project.pending[-2:]] == [MilestoneCancelled, ProjectCompleted]
    assert project.completed_on == date(2022, 6, 1)
    with pytest.raises(Conflict, match="completed"):
        project.cancel("已完成", OFFICIAL, date(2022, 7, 1))
