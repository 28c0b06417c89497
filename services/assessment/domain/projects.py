"""项目与节点 / projects under the 19 tasks and their milestones.

A milestone goes planned → reported (by the village's team, with evidence) → verified,
or back to returned (by an assessor who is not the reporter) and reported again. When
every milestone is verified the project is complete. Overdue is a question asked as of a
day (``is_overdue``): a milestone is overdue from the day after its due date until it is
verified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.assessment import (
    MilestoneCancelled,
    MilestoneReplanned,
    MilestoneReported,
    MilestoneReturned,
    MilestoneVerified,
    PlannedMilestone,
    ProjectCancelled,
    ProjectCompleted,
    ProjectPlanned,
    ProjectReplanned,
)
from shared.dates import IsoDate, in_order
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound
from shared.validators import at_least_one

from services.assessment.domain.people import ensure_other_person
from services.assessment.domain.values import Id, Reason, Sha256, VillageCode

Share = Annotated[Decimal, Field(gt=0, le=100, decimal_places=2, description="资金分期占比（%）/ share of the project's funding, percent")]


class MilestoneInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    milestone_id: Id
    title: str = Field(min_length=1, max_length=200, description="节点名称 / what is done by then")
    due_on: IsoDate = Field(description="计划完成日期 / planned date")
    funding_share_pct: Share | None = None


class PlanProject(BaseModel):
    """项目立项 / plan a project in a village under one of the 19 tasks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project_id: Id
    village_code: VillageCode
    task_no: int = Field(ge=1, le=19, description="19项重点任务之一 / one of the 19 key tasks")
    title: str = Field(min_length=1, max_length=200, description="项目名称 / title")
    planned_start: IsoDate
    planned_end: IsoDate
    milestones: list[MilestoneInput] = Field(min_length=1, max_length=50, description="节点 / milestones")

    ordered = in_order("planned_start", "planned_end", "计划结束早于开始 / planned_end is before planned_start")

    @model_validator(mode="after")
    def consistent(self) -> PlanProject:
        ids = [m.milestone_id for m in self.milestones]
        if len(set(ids)) != len(ids):
            raise ValueError("节点编号重复 / milestone ids must be distinct")
        for m in self.milestones:
            if not self.planned_start <= m.due_on <= self.planned_end:
                raise ValueError(
                    f"节点 {m.milestone_id} 的日期 {m.due_on} 不在项目周期内 / milestone {m.milestone_id} is due "
                    f"outside {self.planned_start}…{self.planned_end}"
                )
        shares = sum((m.funding_share_pct or Decimal(0) for m in self.milestones), Decimal(0))
        if shares > 100:
            raise ValueError(f"各节点资金占比合计 {shares}% 超过 100% / milestone funding shares add up to {shares}%")
        return self


class ReportMilestone(BaseModel):
    """填报节点完成情况 / report a milestone done, with evidence."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    evidence_text: str = Field(min_length=2, max_length=5000, description="完成情况说明 / what was done")
    evidence_sha256: list[Sha256] = Field(default_factory=list, max_length=50,
                                          description="佐证文件的 SHA-256 / hashes of the evidence files")


class ReturnMilestone(BaseModel):
    """退回节点 / send a reported milestone back."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Reason


class ReplanProject(BaseModel):
    """项目调整计划 / change a project's title or period (its milestones keep their days)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(None, min_length=1, max_length=200, description="新名称 / new title")
    planned_start: IsoDate | None = Field(None, description="新开始日期 / new start")
    planned_end: IsoDate | None = Field(None, description="新结束日期 / new end")
    reason: Reason

    something = at_least_one("title", "planned_start", "planned_end",
                             message="至少调整一项：title、planned_start、planned_end / change at least one of title, "
                                     "planned_start, planned_end")

    @model_validator(mode="after")
    def ordered(self) -> ReplanProject:
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValueError("计划结束早于开始 / planned_end is before planned_start")
        return self


class ReplanMilestone(BaseModel):
    """节点调整计划 / change a milestone's title or due day (not a verified one)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(None, min_length=1, max_length=200, description="新名称 / new title")
    due_on: IsoDate | None = Field(None, description="新的计划完成日期 / new due day")
    reason: Reason

    something = at_least_one("title", "due_on", message="至少调整一项：title、due_on / change at least one of title, due_on")


class CancelWithReason(BaseModel):
    """撤销项目或节点 / cancel a project or a milestone, with the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Reason


@dataclass
class Milestone:
    milestone_id: str
    title: str
    due_on: date
    funding_share_pct: Decimal | None
    status: str = "planned"  # planned | reported | returned | verified | cancelled
    reported_by: str | None = None
    reported_on: date | None = None
    verified_on: date | None = None
    evidence_sha256: tuple[str, ...] = ()

    def is_overdue(self, day: date) -> bool:
        if self.status == "cancelled":
            return False
        return self.due_on < day and (self.verified_on is None or self.verified_on > day)


class Project(Aggregate):
    stream_prefix = "project"
    noun = "项目"

    def __init__(self, key: str):
        super().__init__(key)
        self.milestones: dict[str, Milestone] = {}
        self.completed_on: date | None = None
        self.cancelled_on: date | None = None

    def milestone(self, milestone_id: str) -> Milestone:
        self.require_exists()
        found = self.milestones.get(milestone_id)
        if found is None:
            raise NotFound(f"项目 {self.key} 没有节点 {milestone_id} / no milestone {milestone_id}", field="milestone_id")
        return found

    def plan(self, cmd: PlanProject, district: str, action_code: str) -> None:
        if self.exists:
            raise Conflict(f"项目 {cmd.project_id} 已立项 / project {cmd.project_id} already exists", field="project_id")
        self.record(ProjectPlanned(
            project_id=cmd.project_id, village_code=cmd.village_code, district=district, action_code=action_code,
            task_no=cmd.task_no, title=cmd.title, planned_start=cmd.planned_start, planned_end=cmd.planned_end,
            milestones=[PlannedMilestone(milestone_id=m.milestone_id, title=m.title, due_on=m.due_on,
                                         funding_share_pct=m.funding_share_pct) for m in cmd.milestones],
        ))

    def report(self, milestone_id: str, cmd: ReportMilestone, reporter: str, on: date) -> None:
        m = self.milestone(milestone_id)
        self._not_cancelled(m)
        if m.status == "verified":
            raise Conflict(f"节点 {milestone_id} 已验收 / milestone {milestone_id} is already verified", field="milestone_id")
        if m.status == "reported":
            raise Conflict(f"节点 {milestone_id} 已填报，待验收 / already reported, awaiting verification",
                           field="milestone_id")
        if on < self.planned_start:
            raise DomainError(f"填报日期 {on} 早于项目开始 {self.planned_start} / reported before the project starts",
                              field="X-Occurred-At")
        self.record(MilestoneReported(
            project_id=self.key, milestone_id=milestone_id, village_code=self.village_code, reported_on=on,
            evidence_text=cmd.evidence_text, evidence_sha256=list(dict.fromkeys(cmd.evidence_sha256)),
            reported_by=reporter,
        ))

    def _reported(self, milestone_id: str, assessor: str, on: date) -> Milestone:
        m = self.milestone(milestone_id)
        self._not_cancelled(m)
        if m.status != "reported":
            raise Conflict(f"节点 {milestone_id} 未处于待验收状态（{m.status}）/ milestone is {m.status}, not reported",
                           field="milestone_id")
        ensure_other_person(assessor, m.reported_by, "节点验收", "verifying a milestone")
        if m.reported_on is not None and on < m.reported_on:
            raise DomainError(f"验收日期 {on} 早于填报日期 {m.reported_on} / verified before it was reported",
                              field="X-Occurred-At")
        return m

    def verify(self, milestone_id: str, assessor: str, on: date) -> None:
        self._reported(milestone_id, assessor, on)
        self.record(MilestoneVerified(
            project_id=self.key, milestone_id=milestone_id, village_code=self.village_code, district=self.district,
            task_no=self.task_no, verified_on=on, verified_by=assessor,
        ))
        self._complete_if_done(on)

    def _complete_if_done(self, on: date) -> None:
        """Complete when every milestone not cancelled is verified (and at least one is)."""
        live = [m for m in self.milestones.values() if m.status != "cancelled"]
        if live and all(m.status == "verified" for m in live):
            self.record(ProjectCompleted(project_id=self.key, village_code=self.village_code, district=self.district,
                                         task_no=self.task_no, completed_on=on))

    def _not_cancelled(self, m: Milestone | None = None) -> None:
        if self.cancelled_on is not None:
            raise Conflict(f"项目 {self.key} 已撤销 / project {self.key} is cancelled", field="project_id")
        if m is not None and m.status == "cancelled":
            raise Conflict(f"节点 {m.milestone_id} 已撤销 / milestone {m.milestone_id} is cancelled",
                           field="milestone_id")

    def _open(self) -> None:
        """Re-planning and cancelling are for a project still under way."""
        self.require_exists()
        self._not_cancelled()
        if self.completed_on is not None:
            raise Conflict(f"项目 {self.key} 已于 {self.completed_on} 完成，不能调整或撤销 / project {self.key} was "
                           f"completed on {self.completed_on}: it can no longer be re-planned or cancelled",
                           field="project_id")

    def replan(self, cmd: ReplanProject, by: str) -> None:
        self._open()
        start = cmd.planned_start or self.planned_start
        end = cmd.planned_end or self.planned_end
        if end < start:
            raise DomainError(f"计划结束 {end} 早于开始 {start} / planned_end {end} is before planned_start {start}",
                              field="planned_end" if cmd.planned_end else "planned_start")
        for m in self.milestones.values():
            if m.status not in ("verified", "cancelled") and not start <= m.due_on <= end:
                raise DomainError(
                    f"节点 {m.milestone_id} 的日期 {m.due_on} 将不在项目周期 {start}…{end} 内，请先调整该节点 / "
                    f"milestone {m.milestone_id} (due {m.due_on}) would fall outside {start}…{end}: re-plan it first",
                    field="planned_start" if m.due_on < start else "planned_end")
        self.record(ProjectReplanned(project_id=self.key, village_code=self.village_code, district=self.district,
                                     title=cmd.title or self.title, planned_start=start, planned_end=end,
                                     reason=cmd.reason, replanned_by=by))

    def replan_milestone(self, milestone_id: str, cmd: ReplanMilestone, by: str) -> None:
        m = self._changeable(milestone_id, "调整", "re-planned")
        due = cmd.due_on or m.due_on
        if not self.planned_start <= due <= self.planned_end:
            raise DomainError(f"节点日期 {due} 不在项目周期 {self.planned_start}…{self.planned_end} 内 / due day {due} "
                              f"is outside the project's {self.planned_start}…{self.planned_end}", field="due_on")
        self.record(MilestoneReplanned(project_id=self.key, milestone_id=milestone_id, village_code=self.village_code,
                                       district=self.district, title=cmd.title or m.title, due_on=due,
                                       reason=cmd.reason, replanned_by=by))

    def cancel(self, reason: str, by: str, on: date) -> list[str]:
        """Cancel the project; its milestones not verified go with it (returned: their ids)."""
        self._open()
        ids = [m.milestone_id for m in self.milestones.values() if m.status not in ("verified", "cancelled")]
        self.record(ProjectCancelled(project_id=self.key, village_code=self.village_code, district=self.district,
                                     task_no=self.task_no, cancelled_on=on, cancelled_milestone_ids=ids,
                                     reason=reason, cancelled_by=by))
        return ids

    def cancel_milestone(self, milestone_id: str, reason: str, by: str, on: date) -> None:
        self._changeable(milestone_id, "撤销", "cancelled")
        if all(o.status == "cancelled" for o in self.milestones.values() if o.milestone_id != milestone_id):
            raise Conflict(f"节点 {milestone_id} 是项目最后一个节点，请撤销项目 / {milestone_id} is the project's last "
                           "milestone: cancel the project instead", field="milestone_id")
        self.record(MilestoneCancelled(project_id=self.key, milestone_id=milestone_id, village_code=self.village_code,
                                       district=self.district, cancelled_on=on, reason=reason, cancelled_by=by))
        self._complete_if_done(on)

    def _changeable(self, milestone_id: str, act_zh: str, act_en: str) -> Milestone:
        """A milestone of an open project that is neither cancelled nor verified: the one a change applies to."""
        self._open()
        m = self.milestone(milestone_id)
        self._not_cancelled(m)
        if m.status == "verified":
            raise Conflict(f"节点 {milestone_id} 已验收，不能{act_zh} / milestone {milestone_id} is verified and cannot be "
                           f"{act_en}", field="milestone_id")
        return m

    def send_back(self, milestone_id: str, cmd: ReturnMilestone, assessor: str, on: date) -> None:
        self._reported(milestone_id, assessor, on)
        self.record(MilestoneReturned(project_id=self.key, milestone_id=milestone_id, village_code=self.village_code,
                                      reason=cmd.reason, returned_on=on, returned_by=assessor))

    def overdue(self, day: date) -> list[Milestone]:
        return [m for m in self.milestones.values() if m.is_overdue(day)]

    def when_ProjectPlanned(self, e: ProjectPlanned) -> None:
        self.village_code, self.district, self.task_no = e.village_code, e.district, e.task_no
        self.action_code, self.title = e.action_code, e.title
        self.planned_start, self.planned_end = e.planned_start, e.planned_end
        self.milestones = {m.milestone_id: Milestone(m.milestone_id, m.title, m.due_on, m.funding_share_pct)
                           for m in e.milestones}

    def when_MilestoneReported(self, e: MilestoneReported) -> None:
        m = self.milestones[e.milestone_id]
        m.status, m.reported_by, m.reported_on = "reported", e.reported_by, e.reported_on
        m.evidence_sha256 = tuple(e.evidence_sha256)

    def when_MilestoneVerified(self, e: MilestoneVerified) -> None:
        m = self.milestones[e.milestone_id]
        m.status, m.verified_on = "verified", e.verified_on

    def when_MilestoneReturned(self, e: MilestoneReturned) -> None:
        self.milestones[e.milestone_id].status = "returned"

    def when_ProjectCompleted(self, e: ProjectCompleted) -> None:
        self.completed_on = e.completed_on

    def when_ProjectReplanned(self, e: ProjectReplanned) -> None:
        self.title, self.planned_start, self.planned_end = e.title, e.planned_start, e.planned_end

    def when_MilestoneReplanned(self, e: MilestoneReplanned) -> None:
        m = self.milestones[e.milestone_id]
        m.title, m.due_on = e.title, e.due_on

    def when_ProjectCancelled(self, e: ProjectCancelled) -> None:
        self.cancelled_on = e.cancelled_on
        for milestone_id in e.cancelled_milestone_ids:
            self.milestones[milestone_id].status = "cancelled"

    def when_MilestoneCancelled(self, e: MilestoneCancelled) -> None:
        self.milestones[e.milestone_id].status = "cancelled"

    def view(self, day: date) -> dict:
        return {
            "project_id": self.key, "village_code": self.village_code, "district": self.district,
            "action_code": self.action_code, "task_no": self.task_no, "title": self.title,
            "planned_start": self.planned_start.isoformat(), "planned_end": self.planned_end.isoformat(),
            "completed_on": self.completed_on.isoformat() if self.completed_on else None,
            "cancelled_on": self.cancelled_on.isoformat() if self.cancelled_on else None,
            "milestones": [
                {"milestone_id": m.milestone_id, "title": m.title, "due_on": m.due_on.isoformat(),
                 "funding_share_pct": str(m.funding_share_pct) if m.funding_share_pct is not None else None,
                 "status": m.status, "reported_on": m.reported_on.isoformat() if m.reported_on else None,
                 "verified_on": m.verified_on.isoformat() if m.verified_on else None,
                 "evidence_sha256": list(m.evidence_sha256), "overdue": m.is_overdue(day)}
                for m in self.milestones.values()
            ],
            "stream_version": self.version,
        }
