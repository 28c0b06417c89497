"""年度考核 / a year's assessment: assessors' marks, computations, review and publication.

A computation is fixed by what it read: the cut-off (per source service, the log position
its facts were read up to), the rubric version and how many of the year's marks it
counted. Computing again for the same day re-reads exactly those facts — later events,
even ones back-dated before the day, are beyond the cut-off — and must give the same
results; ``refresh`` takes a new cut-off instead (before publication only). Review is by
someone other than who computed; publication needs an approved review of the latest
computation.

A computation or publication with more results than one event may carry is recorded as
``AssessmentResultsPage`` events then its summary (``paged``); the aggregate puts them back
together (``whole``), so what it holds is always the whole results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.assessment import (
    RESULTS_PAGE_SIZE,
    AssessmentComputed,
    AssessmentPublished,
    AssessmentResultsPage,
    AssessmentReviewed,
    AssessmentScore,
    AssessorMarkRecorded,
)
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError

from services.assessment.domain.people import ensure_other_person, subject_of
from services.assessment.domain.values import Id

SubjectKind = Literal["team", "unit", "district"]


class RecordMark(BaseModel):
    """考核组评分 / an assessor's own mark for a subject."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject_kind: SubjectKind
    subject_id: Id = Field(description="工作队、单位标识或区代码 / team id, unit id or district code")
    mark: Decimal = Field(ge=0, le=100, decimal_places=2, description="评分（0–100）/ mark out of 100")
    note: str | None = Field(None, max_length=2000)


class ComputeAssessment(BaseModel):
    """计算年度考核得分 / compute the year's scores as of a day."""

    model_config = ConfigDict(extra="forbid")

    as_of: IsoDate = Field(description="考核截止日 / the assessment date")
    refresh: bool = Field(False, description="重新取数（发布前）/ read the facts afresh instead of re-running")


class ReviewAssessment(BaseModel):
    """复核 / review the latest computation."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    as_of: IsoDate
    approved: bool
    note: str | None = Field(None, max_length=2000)


class PublishAssessment(BaseModel):
    """发布考核结果 / publish the reviewed results."""

    model_config = ConfigDict(extra="forbid")

    as_of: IsoDate


Step = AssessmentComputed | AssessmentPublished
S = TypeVar("S", AssessmentComputed, AssessmentPublished)


def paged(event: Step, size: int = RESULTS_PAGE_SIZE) -> list[AssessmentResultsPage | Step]:
    """A step as the events that record it: its results inline when one page holds them,
    else in pages of ``size`` followed by the step with ``results`` empty."""
    results = event.results
    if len(results) <= size:
        return [event]
    step = "computed" if isinstance(event, AssessmentComputed) else "published"
    chunks = [results[i:i + size] for i in range(0, len(results), size)]
    pages = [AssessmentResultsPage(year=event.year, as_of=event.as_of, step=step, page=n, pages=len(chunks),
                                   results=chunk) for n, chunk in enumerate(chunks, start=1)]
    return [*pages, event.model_copy(update={"results": [], "pages": len(chunks)})]


def whole(event: S, pages: Sequence[AssessmentResultsPage]) -> S:
    """The step with its results: from the pages just before it, or inline (``pages`` = 0)."""
    if not event.pages:
        return event
    step = "computed" if isinstance(event, AssessmentComputed) else "published"
    mine = sorted((p for p in pages if p.step == step and p.as_of == event.as_of), key=lambda p: p.page)
    if [p.page for p in mine] != list(range(1, event.pages + 1)):
        raise DomainError(f"{event.year} 年考核结果分页不全 / the {event.year} results' pages are incomplete",
                          field="as_of")
    return event.model_copy(update={"results": [r for p in mine for r in p.results]})


class Assessment(Aggregate):
    """Key: the year. Stream ``assessment-<year>``."""

    stream_prefix = "assessment"

    def __init__(self, key: str):
        super().__init__(key)
        self.applied = 0  # events applied so far, counting ones recorded but not yet saved
        self.marks: list[tuple[int, AssessorMarkRecorded]] = []
        self.computations: dict[date, AssessmentComputed] = {}
        self.latest: AssessmentComputed | None = None
        self.review: AssessmentReviewed | None = None
        self.published: AssessmentPublished | None = None
        self._pages: list[AssessmentResultsPage] = []  # of the step not yet applied

    @property
    def year(self) -> int:
        return int(self.key)

    def _open(self, field: str) -> None:
        if self.published is not None:
            raise Conflict(f"{self.key} 年考核结果已发布 / the {self.key} assessment is published", field=field)

    def mark(self, cmd: RecordMark, assessor: str) -> None:
        self._open("subject_id")
        self.record(AssessorMarkRecorded(year=self.year, subject_kind=cmd.subject_kind, subject_id=cmd.subject_id,
                                         mark=cmd.mark, note=cmd.note, marked_by=assessor))

    def marks_through(self, count: int) -> dict[tuple[str, str], Decimal]:
        """Each subject's mark: the mean over assessors of each one's latest mark among the
        first ``count`` events of the stream."""
        latest: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
        for seq, m in self.marks:
            if seq <= count:
                latest[(m.subject_kind, m.subject_id)][subject_of(m.marked_by) or ""] = m.mark
        return {key: (sum(by.values(), Decimal(0)) / len(by)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                for key, by in latest.items()}

    def check_day(self, cmd: ComputeAssessment, today: date) -> None:
        if cmd.as_of < date(self.year, 1, 1):
            raise DomainError(f"考核截止日不能早于 {self.year} 年 / the date must fall in or after {self.year}",
                              field="as_of")
        if cmd.as_of > today:
            raise DomainError(f"考核截止日 {cmd.as_of} 尚未到来 / {cmd.as_of} is in the future", field="as_of")
        if self.published is not None and (cmd.refresh or cmd.as_of != self.published.as_of):
            raise Conflict(f"{self.key} 年考核已按截止日 {self.published.as_of} 发布 / published as of "
                           f"{self.published.as_of}: only that day can be re-run", field="as_of")

    def computed(self, as_of: date, results: list[AssessmentScore], cutoff: dict[str, int], rubric_version: int,
                 marks_through: int, computed_by: str) -> AssessmentComputed:
        """Record the computation (in pages when large); returns it whole."""
        self._record(AssessmentComputed(year=self.year, as_of=as_of, results=results, cutoff=cutoff,
                                        rubric_version=rubric_version, marks_through=marks_through,
                                        computed_by=computed_by))
        return self.latest

    def _not_returned(self) -> None:
        if self.review is not None and not self.review.approved:
            raise Conflict("该次计算已被复核退回：请以 refresh: true 重新计算，再行复核 / this computation was sent back "
                           "in review: compute again with refresh: true, then review that", field="as_of")

    def _latest(self, as_of: date, field: str = "as_of") -> AssessmentComputed:
        if self.latest is None or self.latest.as_of != as_of:
            raise Conflict(f"截止日 {as_of} 不是最近一次计算 / the latest computation is not as of {as_of}", field=field)
        return self.latest

    def review_latest(self, cmd: ReviewAssessment, reviewer: str) -> None:
        self._open("as_of")
        computed = self._latest(cmd.as_of)
        ensure_other_person(reviewer, computed.computed_by, "复核", "reviewing a computation")
        self._not_returned()
        if self.review is not None:
            raise Conflict("该次计算已复核 / this computation is already reviewed", field="as_of")
        self.record(AssessmentReviewed(year=self.year, as_of=cmd.as_of, approved=cmd.approved, note=cmd.note,
                                       reviewed_by=reviewer))

    def publish(self, cmd: PublishAssessment) -> None:
        self._open("as_of")
        computed = self._latest(cmd.as_of)
        self._not_returned()
        if self.review is None:
            raise Conflict("须经复核通过后发布 / publish only an approved review", field="as_of")
        self._record(AssessmentPublished(year=self.year, as_of=computed.as_of, results=computed.results))

    def _record(self, event: Step) -> None:
        for e in paged(event):
            self.record(e)

    def _step(self) -> int:
        self.applied += 1
        return self.applied

    def when_AssessorMarkRecorded(self, e: AssessorMarkRecorded) -> None:
        self.marks.append((self._step(), e))

    def when_AssessmentResultsPage(self, e: AssessmentResultsPage) -> None:
        self._step()  # a page is a version of the stream: marks_through counts it
        self._pages.append(e)

    def _whole(self, e: S) -> S:
        pages, self._pages = self._pages, []
        return whole(e, pages)

    def when_AssessmentComputed(self, e: AssessmentComputed) -> None:
        self._step()
        e = self._whole(e)
        self.computations[e.as_of] = e
        self.latest, self.review = e, None

    def when_AssessmentReviewed(self, e: AssessmentReviewed) -> None:
        self._step()
        self.review = e

    def when_AssessmentPublished(self, e: AssessmentPublished) -> None:
        self._step()
        self.published = self._whole(e)
