"""Notices and reports: the aggregates, and the report's workflow draft → review → published."""

from __future__ import annotations

from shared.contracts.publicity import (
    NoticePublished,
    ReportDrafted,
    ReportPublished,
    ReportReturned,
    ReportRevised,
    ReportSubmitted,
)
from datetime import datetime

from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, Forbidden

from services.publicity.domain.commands import DraftReport, PublishNotice, PublishReport, ReturnReport, ReviseReport


# What a publication's figures are drawn at: the instant, and the statistics' log positions then.
Drawn = tuple[datetime, dict[str, int]]


class Notice(Aggregate):
    stream_prefix = "notice"

    def publish(self, cmd: PublishNotice, village_codes: list[str], run_id: str | None, drawn: Drawn) -> None:
        if self.exists:
            raise Conflict(f"公示 {cmd.notice_id} 已发布 / notice {cmd.notice_id} already published", field="notice_id")
        self.record(NoticePublished(
            notice_id=cmd.notice_id, kind="designation_list", title=cmd.title, run_id=run_id,
            window_from=cmd.window_from, window_to=cmd.window_to, village_codes=village_codes,
            drawn_as_of=drawn[0], known_at=drawn[1]))


# Which command each state allows: a returned report is edited again, a published one is final.
EDITABLE = {"draft", "returned"}


class Report(Aggregate):
    stream_prefix = "report"
    status_after = {ReportSubmitted: "in_review", ReportReturned: "returned", ReportPublished: "published"}

    def __init__(self, key: str):
        super().__init__(key)
        self.status: str | None = None
        self.village_code: str | None = None
        self.title = ""
        self.author: str | None = None  # None for reports drafted before authors were recorded

    def draft(self, cmd: DraftReport, author: str | None = None) -> None:
        if self.exists:
            raise Conflict(f"报道 {cmd.report_id} 已存在 / report {cmd.report_id} exists", field="report_id")
        self.record(ReportDrafted(**cmd.model_dump(), author=author))

    def revise(self, cmd: ReviseReport, by: str | None = None) -> None:
        self._require(EDITABLE, "修改 / revise")
        self._own(by)
        self.record(ReportRevised(**cmd.model_dump()))

    def submit(self, by: str | None = None) -> None:
        self._require(EDITABLE, "提交审核 / submit")
        self._own(by)
        self.record(ReportSubmitted(report_id=self.key))

    def _own(self, by: str | None) -> None:
        if self.author is not None and by is not None and by != self.author:
            raise Forbidden(f"只有起草人 {self.author} 可以修改或提交此报道 / only its author, {self.author}, may "
                            f"revise or submit this report", field="report_id")

    def return_(self, cmd: ReturnReport) -> None:
        self._require({"in_review"}, "退回 / return")
        self.record(ReportReturned(report_id=self.key, reason=cmd.reason))

    def ensure_publishable(self) -> None:
        self._require({"in_review"}, "发布 / publish")

    def publish(self, cmd: PublishReport, drawn: Drawn) -> None:
        self.ensure_publishable()
        self.record(ReportPublished(report_id=self.key, village_code=self.village_code, title=self.title,
                                    channels=cmd.channels, published_on=cmd.published_on,
                                    drawn_as_of=drawn[0], known_at=drawn[1]))

    def _require(self, states: set[str], what: str) -> None:
        if self.status not in states:
            now = self.status or "不存在 / absent"
            raise Conflict(f"报道当前状态为 {now}，不能{what} / report is {now}; cannot {what.split(' / ')[1]}",
                           field="status")

    def when_ReportDrafted(self, e: ReportDrafted) -> None:
        self.status, self.village_code, self.title, self.author = "draft", e.village_code, e.title, e.author

    def when_ReportRevised(self, e: ReportRevised) -> None:
        self.status, self.village_code, self.title = "draft", e.village_code, e.title
