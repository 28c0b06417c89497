"""督导检查 / inspections: findings against a village or a team, each with a deadline for
its rectification, which the inspected side reports and an inspector accepts (or returns).
A finding is overdue from the day after its deadline until its rectification is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.assessment import (
    Finding,
    InspectionRecorded,
    RectificationAccepted,
    RectificationReported,
    RectificationReturned,
)
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound

from services.assessment.domain.people import ensure_other_person
from services.assessment.domain.values import Id, Reason


class FindingInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    finding_id: Id
    text: str = Field(min_length=2, max_length=2000, description="发现的问题 / what was found")
    deadline: IsoDate = Field(description="整改期限 / rectify by this day")


class RecordInspection(BaseModel):
    """记录督导检查 / record an inspection and its findings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    inspection_id: Id
    target_kind: Literal["village", "team"] = Field(description="检查对象 / a village or a work team")
    target_id: Id = Field(description="村代码或工作队标识 / village code or team id")
    inspected_on: IsoDate
    findings: list[FindingInput] = Field(default_factory=list, max_length=100,
                                         description="问题（可无）/ findings (none is a clean inspection)")

    @model_validator(mode="after")
    def consistent(self) -> RecordInspection:
        ids = [f.finding_id for f in self.findings]
        if len(set(ids)) != len(ids):
            raise ValueError("问题编号重复 / finding ids must be distinct")
        for f in self.findings:
            if f.deadline < self.inspected_on:
                raise ValueError(f"问题 {f.finding_id} 的整改期限早于检查日期 / deadline {f.deadline} is before the "
                                 f"inspection ({self.inspected_on})")
        return self


class ReportRectification(BaseModel):
    """报告整改情况 / report how a finding was rectified."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=2, max_length=5000, description="整改情况 / what was done")


class ReturnRectification(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Reason


@dataclass
class OpenFinding:
    finding_id: str
    text: str
    deadline: date
    status: str = "open"  # open | reported | returned | accepted
    reported_by: str | None = None
    reported_on: date | None = None
    accepted_on: date | None = None

    def is_overdue(self, day: date) -> bool:
        return self.deadline < day and (self.accepted_on is None or self.accepted_on > day)


class Inspection(Aggregate):
    stream_prefix = "inspection"
    noun = "督导检查"

    def __init__(self, key: str):
        super().__init__(key)
        self.findings: dict[str, OpenFinding] = {}

    def finding(self, finding_id: str) -> OpenFinding:
        self.require_exists()
        found = self.findings.get(finding_id)
        if found is None:
            raise NotFound(f"没有问题 {finding_id} / no finding {finding_id}", field="finding_id")
        return found

    def record_inspection(self, cmd: RecordInspection, district: str) -> None:
        if self.exists:
            raise Conflict(f"督导检查 {cmd.inspection_id} 已记录 / already recorded", field="inspection_id")
        self.record(InspectionRecorded(
            inspection_id=cmd.inspection_id, target_kind=cmd.target_kind, target_id=cmd.target_id, district=district,
            inspected_on=cmd.inspected_on,
            findings=[Finding(finding_id=f.finding_id, text=f.text, deadline=f.deadline) for f in cmd.findings],
        ))

    def report(self, finding_id: str, cmd: ReportRectification, reporter: str, on: date) -> None:
        f = self.finding(finding_id)
        if f.status in ("reported", "accepted"):
            raise Conflict(f"问题 {finding_id} 已{'报告整改' if f.status == 'reported' else '整改验收'} / "
                           f"finding is already {f.status}", field="finding_id")
        if on < self.inspected_on:
            raise DomainError("整改报告早于检查日期 / reported before the inspection", field="X-Occurred-At")
        self.record(RectificationReported(inspection_id=self.key, finding_id=finding_id, reported_on=on,
                                          text=cmd.text, reported_by=reporter))

    def _reported(self, finding_id: str, inspector: str, on: date) -> OpenFinding:
        f = self.finding(finding_id)
        if f.status != "reported":
            raise Conflict(f"问题 {finding_id} 尚无待验收的整改报告（{f.status}）/ nothing reported to accept",
                           field="finding_id")
        ensure_other_person(inspector, f.reported_by, "整改验收", "accepting a rectification")
        if f.reported_on and on < f.reported_on:
            raise DomainError("验收早于整改报告 / accepted before it was reported", field="X-Occurred-At")
        return f

    def accept(self, finding_id: str, inspector: str, on: date) -> None:
        self._reported(finding_id, inspector, on)
        self.record(RectificationAccepted(inspection_id=self.key, finding_id=finding_id, accepted_on=on,
                                          accepted_by=inspector))

    def send_back(self, finding_id: str, cmd: ReturnRectification, inspector: str, on: date) -> None:
        self._reported(finding_id, inspector, on)
        self.record(RectificationReturned(inspection_id=self.key, finding_id=finding_id, returned_on=on,
                                          reason=cmd.reason, returned_by=inspector))

    def when_InspectionRecorded(self, e: InspectionRecorded) -> None:
        self.target_kind, self.target_id, self.district = e.target_kind, e.target_id, e.district
        self.inspected_on = e.inspected_on
        self.findings = {f.finding_id: OpenFinding(f.finding_id, f.text, f.deadline) for f in e.findings}

    def when_RectificationReported(self, e: RectificationReported) -> None:
        f = self.findings[e.finding_id]
        f.status, f.reported_by, f.reported_on = "reported", e.reported_by, e.reported_on

    def when_RectificationAccepted(self, e: RectificationAccepted) -> None:
        f = self.findings[e.finding_id]
        f.status, f.accepted_on = "accepted", e.accepted_on

    def when_RectificationReturned(self, e: RectificationReturned) -> None:
        self.findings[e.finding_id].status = "returned"

    def view(self, day: date) -> dict:
        return {
            "inspection_id": self.key, "target_kind": self.target_kind, "target_id": self.target_id,
            "district": self.district, "inspected_on": self.inspected_on.isoformat(),
            "findings": [{"finding_id": f.finding_id, "text": f.text, "deadline": f.deadline.isoformat(),
                          "status": f.status, "reported_on": f.reported_on.isoformat() if f.reported_on else None,
                          "accepted_on": f.accepted_on.isoformat() if f.accepted_on else None,
                          "overdue": f.is_overdue(day)} for f in self.findings.values()],
            "stream_version": self.version,
        }
