"""公示期异议 / the designated list's objection window: opened for the run in force, objections
lodged within it and answered, then the list confirmed — or changed by a new screening run.

One stream per run, ``objections-<run_id>``. Who objected and why are personal: the aggregate
records them as ``Sealed`` by the ``Seal`` the handler hands it (the objection's own data key).
Days are Beijing business days, the handler's to give (``X-Occurred-At``, never after today).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.registry import (
    DesignationConfirmed,
    ObjectionAnswered,
    ObjectionLodged,
    ObjectionOutcome,
    ObjectionWindowOpened,
)
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, Forbidden, NotFound
from shared.privacy.sealed import Sealed

from services.registry.domain.ids import Id

Seal = Callable[[str], Sealed]


class OpenObjectionWindow(BaseModel):
    """公示：开启异议期 / open the list's objection window (city office)."""

    model_config = ConfigDict(extra="forbid")

    opens_on: IsoDate | None = Field(None, description="公示首日（默认今天）/ first day (default today)")


class LodgeObjection(BaseModel):
    """登记异议 / record an objection about one village, within the window."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    objection_id: Id
    village_code: str = Field(pattern=r"^\d{12}$", description="所涉村代码 / the village objected about")
    objector: str = Field(min_length=1, max_length=100, description="异议人（个人数据，加密记录）/ who objects "
                                                                  "(personal data, recorded sealed)")
    grounds: str = Field(min_length=2, max_length=2000, description="异议理由（加密记录）/ the grounds (sealed)")


class AnswerObjection(BaseModel):
    """答复异议 / answer an objection: upheld or dismissed, with the reason (city office)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: ObjectionOutcome = Field(description="upheld（成立）/ dismissed（不成立）")
    reason: str = Field(min_length=2, max_length=2000, description="答复理由（加密记录）/ why (sealed)")


class ConfirmDesignation(BaseModel):
    """公示期满确认名单 / confirm the list once the window has closed (city office)."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class Objection:
    village_code: str
    district: str
    lodged_by: str
    outcome: str | None = None


class DesignationObjections(Aggregate):
    """A run's 公示: its window, its objections and their answers, and whether the list stands."""

    stream_prefix = "objections"
    window: ObjectionWindowOpened | None = None
    confirmed_on: date | None = None

    def __init__(self, key: str):
        super().__init__(key)
        self.objections: dict[str, Objection] = {}

    def open(self, opens_on: date, days: int, designated_count: int) -> None:
        if self.window is not None:
            raise Conflict(f"批次 {self.key} 的公示期已于 {self.window.opens_on} 开启 / the objection window of run "
                           f"{self.key} opened on {self.window.opens_on}", field="run_id")
        self.record(ObjectionWindowOpened(run_id=self.key, opens_on=opens_on, closes_on=opens_on + timedelta(days - 1),
                                          days=days, designated_count=designated_count))

    def check_lodge(self, objection_id: str, today: date) -> None:
        """Whether an objection ``objection_id`` is taken on ``today`` (raises if not)."""
        window = self._open_window()
        if today < window.opens_on or today > window.closes_on:
            raise Conflict(f"异议期为 {window.opens_on} 至 {window.closes_on}，{today} 不受理 / objections are taken "
                           f"from {window.opens_on} to {window.closes_on}, not on {today}", field="objection_id")
        if objection_id in self.objections:
            raise Conflict(f"异议 {objection_id} 已登记 / objection {objection_id} exists", field="objection_id")

    def lodge(self, cmd: LodgeObjection, district: str, listed: bool, today: date, by: str, seal: Seal) -> None:
        self.check_lodge(cmd.objection_id, today)
        self.record(ObjectionLodged(
            run_id=self.key, objection_id=cmd.objection_id, village_code=cmd.village_code, district=district,
            listed=listed, objector=seal(cmd.objector), grounds=seal(cmd.grounds), lodged_on=today, lodged_by=by))

    def check_answer(self, objection_id: str, by: str) -> Objection:
        """The objection ``by`` may answer now (raises if there is none, or not now, or not by them)."""
        self._open_window()
        found = self.objections.get(objection_id)
        if found is None:
            raise NotFound(f"未找到异议 {objection_id} / objection {objection_id} not found", field="objection_id")
        if found.outcome is not None:
            raise Conflict(f"异议 {objection_id} 已答复（{found.outcome}）/ objection {objection_id} was answered "
                           f"({found.outcome})", field="objection_id")
        if by == found.lodged_by:
            raise Forbidden("登记异议的账号不能答复该异议 / the account that recorded an objection may not answer it",
                            field="objection_id")
        return found

    def answer(self, objection_id: str, cmd: AnswerObjection, today: date, by: str, seal: Seal) -> None:
        found = self.check_answer(objection_id, by)
        self.record(ObjectionAnswered(run_id=self.key, objection_id=objection_id, village_code=found.village_code,
                                      district=found.district, outcome=cmd.outcome, reason=seal(cmd.reason),
                                      answered_on=today))

    def confirm(self, today: date) -> None:
        window = self._open_window()
        if today <= window.closes_on:
            raise Conflict(f"公示期至 {window.closes_on} 止，期满后方可确认 / the window runs to {window.closes_on}: "
                           f"the list is confirmed after it", field="run_id")
        waiting = sorted(k for k, o in self.objections.items() if o.outcome is None)
        if waiting:
            raise Conflict(f"尚有未答复的异议 / objections not yet answered: {waiting[:10]}", field="run_id")
        upheld = sorted(k for k, o in self.objections.items() if o.outcome == "upheld")
        if upheld:
            raise Conflict(f"异议成立 {upheld[:10]}：名单须由新的筛选批次调整 / objections upheld {upheld[:10]}: the list "
                           f"changes by a new screening run that supersedes this one", field="run_id")
        self.record(DesignationConfirmed(run_id=self.key, closes_on=window.closes_on, confirmed_on=today,
                                         designated_count=window.designated_count, objections=len(self.objections)))

    def _open_window(self) -> ObjectionWindowOpened:
        if self.window is None:
            raise Conflict(f"批次 {self.key} 尚未开启公示期 / run {self.key} has no objection window open",
                           field="run_id")
        if self.confirmed_on is not None:
            raise Conflict(f"批次 {self.key} 的名单已于 {self.confirmed_on} 确认 / the list of run {self.key} was "
                           f"confirmed on {self.confirmed_on}", field="run_id")
        return self.window

    def when_ObjectionWindowOpened(self, event: ObjectionWindowOpened) -> None:
        self.window = event

    def when_ObjectionLodged(self, event: ObjectionLodged) -> None:
        self.objections[event.objection_id] = Objection(event.village_code, event.district, event.lodged_by)

    def when_ObjectionAnswered(self, event: ObjectionAnswered) -> None:
        self.objections[event.objection_id].outcome = event.outcome

    def when_DesignationConfirmed(self, event: DesignationConfirmed) -> None:
        self.confirmed_on = event.confirmed_on
