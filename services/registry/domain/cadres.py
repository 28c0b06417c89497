"""选派干部 / cadres: who they are (minimal), training, insurance and leave against a quota.

Personal data is kept to a name and a position, a policy number and reasons of leave; the
aggregate records each as ``Sealed`` by the ``Seal`` the command hands it (the cadre's own
data key), so events carry ciphertext only, and it never sees a key. Once the cadre's data
is erased, nothing personal is recorded for them any more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.audit import PersonalDataErased
from shared.contracts.registry import (
    CadreRegistered,
    CadreTrained,
    InsuranceRecorded,
    LeaveApproved,
    LeaveCancelled,
    LeaveRejected,
    LeaveRequested,
)
from shared.dates import IsoDate, in_order
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound
from shared.privacy.sealed import Sealed

from services.registry.domain.ids import Id


class RegisterCadre(BaseModel):
    """登记选派干部 / register a cadre of a unit. 个人信息从不公开 / never published."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    cadre_id: Id
    unit_id: Id = Field(description="所在单位 / the cadre's unit")
    name: str = Field(min_length=1, max_length=50, description="姓名 / name (not published)")
    title: str = Field(min_length=1, max_length=100, description="职务 / position")


class RecordTraining(BaseModel):
    """培训记录 / a training the cadre completed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    course: str = Field(min_length=1, max_length=200, description="课程 / course")
    completed_on: IsoDate = Field(description="结业日期 / completed on")
    centralised: bool = Field(True, description="是否为第一书记集中培训 / the centralised training for first secretaries")


class RecordInsurance(BaseModel):
    """人身意外伤害保险 / personal accident insurance on record."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    policy_no: str = Field(min_length=1, max_length=64, description="保单号 / policy number")
    valid_from: IsoDate = Field(description="起保日 / valid from")
    valid_to: IsoDate = Field(description="终保日 / valid to")

    ordered = in_order("valid_from", "valid_to", "终保日不能早于起保日 / valid_to is before valid_from")


class RequestLeave(BaseModel):
    """请假 / request leave (calendar days, both ends included)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    leave_id: Id
    start: IsoDate = Field(description="开始日期 / first day")
    end: IsoDate = Field(description="结束日期（含）/ last day, included")
    reason: str = Field(min_length=1, max_length=500, description="事由 / reason")

    ordered = in_order("start", "end", "结束日期不能早于开始日期 / end is before start")

    @model_validator(mode="after")
    def at_most_a_year(self) -> RequestLeave:
        if (self.end - self.start).days > 366:
            raise ValueError("单次请假不超过一年 / one leave spans at most a year")
        return self


class DecideLeave(BaseModel):
    """审批请假 / approve or reject a leave request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approve: bool = Field(description="批准 true / 不批准 false")
    reason: str | None = Field(None, max_length=500, description="不批准的理由 / why not (required to reject)")

    @model_validator(mode="after")
    def reason_to_reject(self) -> DecideLeave:
        if not self.approve and not self.reason:
            raise ValueError("不批准须说明理由 / a rejection needs a reason")
        return self


class CancelLeave(BaseModel):
    """撤销请假（开始之前）/ withdraw a requested or approved leave before its first day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=2, max_length=500, description="撤销理由 / why")


def days_by_year(start: date, end: date) -> dict[int, int]:
    counts: dict[int, int] = {}
    day = start
    while day <= end:
        counts[day.year] = counts.get(day.year, 0) + 1
        day += timedelta(days=1)
    return counts


@dataclass
class Leave:
    leave_id: str
    start: date
    end: date
    days: int
    status: str  # requested / approved / rejected / cancelled
    reason: Sealed | None = None
    rejection_reason: Sealed | None = None

    def covers(self, day: date) -> bool:
        return self.status == "approved" and self.start <= day <= self.end


@dataclass(frozen=True)
class ApprovedLeaves:
    """A registered cadre's approved leaves, as a check-in needs them: the event log folds them
    from the cadre's stream without decoding the rest of it (trainings, insurance, sealed reasons)."""

    spans: tuple[tuple[date, date], ...] = ()

    def cover(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.spans)


Seal = Callable[[str], Sealed]  # seals a value under this cadre's data key


class Cadre(Aggregate):
    stream_prefix = "cadre"
    noun = "干部"

    unit_id: str
    name: Sealed
    title: Sealed

    def __init__(self, key: str):
        super().__init__(key)
        self.trained_on: date | None = None  # earliest completed centralised training
        self.trainings: list[dict] = []
        self.insurance: list[InsuranceRecorded] = []
        self.leaves: dict[str, Leave] = {}
        self.erased = False  # personal data erased: nothing personal is recorded any more

    def _require_not_erased(self, field: str) -> None:
        if self.erased:
            raise Conflict(f"干部 {self.key} 的个人数据已删除，不再记录 / the personal data of cadre {self.key} was "
                           f"erased: none is recorded any more", field=field)

    def register(self, cmd: RegisterCadre, seal: Seal) -> None:
        if self.exists:
            raise Conflict(f"干部 {cmd.cadre_id} 已登记 / cadre {cmd.cadre_id} is already registered", field="cadre_id")
        self.record(CadreRegistered(cadre_id=cmd.cadre_id, unit_id=cmd.unit_id, name=seal(cmd.name),
                                    title=seal(cmd.title)))

    def train(self, cmd: RecordTraining) -> None:
        self.require_exists()
        self.record(CadreTrained(cadre_id=self.key, course=cmd.course, completed_on=cmd.completed_on,
                                 centralised=cmd.centralised))

    def insure(self, cmd: RecordInsurance, seal: Seal) -> None:
        self.require_exists()
        self._require_not_erased("policy_no")
        self.record(InsuranceRecorded(cadre_id=self.key, policy_no=seal(cmd.policy_no), valid_from=cmd.valid_from,
                                      valid_to=cmd.valid_to))

    def trained_by(self, day: date) -> bool:
        return self.trained_on is not None and self.trained_on <= day

    def on_leave(self, day: date) -> bool:
        return any(leave.covers(day) for leave in self.leaves.values())

    def approved_leaves(self, first: date, last: date) -> ApprovedLeaves:
        """Those of its approved leaves that meet the days ``first``..``last``, ordered by their first day."""
        return ApprovedLeaves(tuple(sorted((l.start, l.end) for l in self.leaves.values()
                                           if l.status == "approved" and l.start <= last and first <= l.end)))

    def used_days(self, year: int) -> int:
        return sum(days_by_year(l.start, l.end).get(year, 0) for l in self.leaves.values() if l.status == "approved")

    def _check_quota(self, start: date, end: date, quota: int) -> None:
        for year, days in days_by_year(start, end).items():
            used = self.used_days(year)
            if used + days > quota:
                raise DomainError(
                    f"{year} 年假期额度 {quota} 天，已用 {used} 天，本次 {days} 天，超出额度 / "
                    f"annual quota {quota} days in {year}: {used} used, {days} asked",
                    field="end", quota_days=quota, used_days=used,
                )

    def request_leave(self, cmd: RequestLeave, team_id: str | None, quota: int, seal: Seal) -> None:
        self.require_exists()
        self._require_not_erased("reason")
        if cmd.leave_id in self.leaves:
            raise Conflict(f"请假单 {cmd.leave_id} 已存在 / leave {cmd.leave_id} exists", field="leave_id")
        overlapping = [l.leave_id for l in self.leaves.values()
                       if l.status in ("requested", "approved") and l.start <= cmd.end and cmd.start <= l.end]
        if overlapping:
            raise Conflict(f"与请假单 {overlapping[0]} 时间重叠 / overlaps leave {overlapping[0]}", field="start")
        self._check_quota(cmd.start, cmd.end, quota)
        self.record(LeaveRequested(leave_id=cmd.leave_id, cadre_id=self.key, team_id=team_id, start=cmd.start,
                                   end=cmd.end, days=(cmd.end - cmd.start).days + 1, reason=seal(cmd.reason)))

    def decide_leave(self, leave_id: str, cmd: DecideLeave, team_id: str | None, quota: int,
                     seal: Seal | None) -> None:
        """``seal`` is needed only to reject (the reason); an approval records nothing personal."""
        self.require_exists()
        leave = self.leaves.get(leave_id)
        if leave is None:
            raise NotFound(f"未找到请假单 {leave_id} / leave {leave_id} not found", field="leave_id")
        if leave.status != "requested":
            raise Conflict(f"请假单 {leave_id} 已处理（{leave.status}）/ leave {leave_id} is already {leave.status}",
                           field="leave_id")
        if cmd.approve:
            self._check_quota(leave.start, leave.end, quota)
            self.record(LeaveApproved(leave_id=leave_id, cadre_id=self.key, team_id=team_id, start=leave.start,
                                      end=leave.end, days=leave.days, quota_days=quota))
        else:
            self._require_not_erased("reason")
            assert seal is not None, "a rejection seals its reason"
            self.record(LeaveRejected(leave_id=leave_id, cadre_id=self.key, reason=seal(cmd.reason or "")))

    def cancel_leave(self, leave_id: str, cmd: CancelLeave, team_id: str | None, today: date, seal: Seal) -> None:
        """Only before its first day: a leave begun is history (presence of those days was refused)."""
        self.require_exists()
        leave = self.leaves.get(leave_id)
        if leave is None:
            raise NotFound(f"未找到请假单 {leave_id} / leave {leave_id} not found", field="leave_id")
        if leave.status not in ("requested", "approved"):
            raise Conflict(f"请假单 {leave_id} 已{'撤销' if leave.status == 'cancelled' else '不批准'}，无从撤销 / "
                           f"leave {leave_id} is {leave.status}", field="leave_id")
        if today >= leave.start:
            raise Conflict(f"请假已于 {leave.start} 开始，不能撤销 / leave {leave_id} began on {leave.start} "
                           f"(today is {today}): it can no longer be cancelled", field="leave_id")
        self._require_not_erased("reason")
        self.record(LeaveCancelled(leave_id=leave_id, cadre_id=self.key, team_id=team_id, start=leave.start,
                                   end=leave.end, days=leave.days, was=leave.status, reason=seal(cmd.reason)))

    def when_CadreRegistered(self, event: CadreRegistered) -> None:
        self.unit_id, self.name, self.title = event.unit_id, event.name, event.title

    def when_CadreTrained(self, event: CadreTrained) -> None:
        self.trainings.append(event.model_dump(mode="json"))
        if event.centralised and (self.trained_on is None or event.completed_on < self.trained_on):
            self.trained_on = event.completed_on

    def when_InsuranceRecorded(self, event: InsuranceRecorded) -> None:
        self.insurance.append(event)

    def when_LeaveRequested(self, event: LeaveRequested) -> None:
        self.leaves[event.leave_id] = Leave(event.leave_id, event.start, event.end, event.days, "requested",
                                            reason=event.reason)

    def when_LeaveApproved(self, event: LeaveApproved) -> None:
        if (leave := self.leaves.get(event.leave_id)) is not None:
            leave.status = "approved"
        else:  # approved without a recorded request (older data)
            self.leaves[event.leave_id] = Leave(event.leave_id, event.start, event.end, event.days, "approved")

    def when_LeaveRejected(self, event: LeaveRejected) -> None:
        leave = self.leaves[event.leave_id]
        leave.status, leave.rejection_reason = "rejected", event.reason

    def when_PersonalDataErased(self, event: PersonalDataErased) -> None:
        self.erased = True

    def when_LeaveCancelled(self, event: LeaveCancelled) -> None:
        self.leaves[event.leave_id].status = "cancelled"
