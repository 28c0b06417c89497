"""What publicity's routes return: pydantic models for the OpenAPI document.

Statistics and open-data answers are sent by the answer cache as ready responses
(``routes/caching.py``), so for those routes these models describe, they do not filter. The
per-district rows and city totals carry one column per figure of the route (the figures
differ per route), hence ``extra="allow"`` on them and maps where keys are data (years,
grades, tasks). Amounts ending in ``_yuan`` are decimal strings with two places.
"""

from __future__ import annotations

import builtins
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Yuan = str  # "1234.56"


def _f(zh_en: str, **kw: Any) -> Any:
    return Field(description=zh_en, **kw)


class Model(BaseModel):
    pass


SUPPRESSED = ("不公布的个人计数（值为 null）/ counts of people below the threshold, withheld (their value is null) "
              "so that no person is singled out")
PersonCount = int | None  # null: suppressed in a public answer (see Disclosure)


def _suppressed() -> Any:
    return Field(None, description=SUPPRESSED)


class Disclosure(Model):
    """公开数字的披露控制 / how a public answer protects counts of people: below ``min_count`` a count
    is null and named in its row's ``suppressed`` (CSV: "<5"); every other count of people is rounded to
    a multiple of ``rounded_to``, so no total less its other cells gives a withheld one back. Officials
    who sign in read exact figures, and their answers have no ``disclosure``."""

    min_count: int = _f("小于此数不公布 / counts of people below this are withheld")
    rounded_to: int = _f("其余按此取整 / the others are rounded to a multiple of this")
    zh: str
    en: str


class Columns(Model):
    """一行数字，每个指标一列 / one row of figures, a column per figure of the route. A count of people
    may be null in a public answer: then its column is named in ``suppressed``."""

    model_config = ConfigDict(extra="allow")
    suppressed: list[str] | None = _suppressed()


class DistrictRow(Columns):
    code: str = _f("区代码 / district code")
    name: str = _f("区名 / district name")


class Stated(Model):
    """每个统计回答都说明截至何时与日志位置 / every statistics answer states its cut-off and log positions."""

    as_of: str = _f("截至（文本）/ as of, as text")
    cutoff: str = _f("截止时刻 / the instant facts count before (ISO)")
    day: str = _f("截至日 / the calendar day (Beijing time)")
    log_positions: dict[str, int] = _f("各来源已应用的日志位置 / per source, the log position applied")
    disclosure: Disclosure | None = _f("公开回答的披露控制（官员看到精确数字时无此项）/ the disclosure control a public "
                                       "answer follows (absent for officials' exact answers)", default=None)


class ByDistrict(Stated):
    city: Columns = _f("全市合计 / city totals")
    districts: list[DistrictRow] = _f("各区 / per district")


# ---- commands -----------------------------------------------------------------------------

class NoticePublishedView(Model):
    notice_id: str
    villages: int = _f("公示的村数 / villages listed")


class ReportState(Model):
    report_id: str
    status: str = _f("状态 / draft, in_review, returned, published")
    version: int = _f("报道流的版本 / the report stream's version")


class ImageView(Model):
    sha256: str
    size: int = _f("字节数 / bytes")
    content_type: str = _f("由内容判定的类型 / the type its bytes show")


# ---- notices and reports ------------------------------------------------------------------

class NoticeObjections(Model):
    """公示异议（登记服务）/ the run's objection window in registry: counts only, never a person."""

    window_from: str = _f("异议期首日 / first day objections are taken")
    window_to: str = _f("异议期末日 / last day objections are taken")
    state: str = _f("异议期状态 / upcoming, open, closed")
    lodged: int = _f("异议数 / objections lodged")
    open: int = _f("待答复 / not yet answered")
    upheld: int = _f("成立 / upheld")
    dismissed: int = _f("不成立 / dismissed")
    confirmed_on: str | None = _f("名单确认日 / day the list was confirmed, or null")


class NoticeSummary(Model):
    notice_id: str
    kind: str
    title: str
    run_id: str | None
    window_from: str
    window_to: str
    state: str = _f("公示期状态 / upcoming, open, closed")
    villages: int = _f("公示的村数 / villages listed")
    published_at: str
    objections: NoticeObjections | None = _f("该批次的异议期与异议数（无则为空）/ the run's objection window and "
                                             "counts, if it has one")


class NoticeList(Model):
    items: list[NoticeSummary]


class NoticeVillage(Model):
    code: str
    name: str | None
    district: str | None
    district_name: str | None
    town: str | None
    rank: int | None = _f("筛查排名 / rank in the run")
    average_yuan: Yuan | None = _f("三年平均 / three-year average")


class NoticeDetail(NoticeSummary):
    as_of: str = _f("名单信息截至（发布时刻）/ the list's details as of (when published)")
    log_positions: dict[str, int] = _f("名单信息所依据的日志位置 / the log positions the details are drawn at")
    list: builtins.list[NoticeVillage] = _f("名单 / the villages, in the order published")


class Channel(Model):
    code: str
    name: str


class ReportSummary(Model):
    report_id: str
    village_code: str | None
    title: str
    channels: list[Channel]
    published_on: str | None


class ReportList(Model):
    items: list[ReportSummary]


class EditorialItem(Model):
    report_id: str
    village_code: str | None
    title: str
    status: str
    return_reason: str | None
    updated_at: str


class EditorialList(Model):
    items: list[EditorialItem]


class LiveFigure(Model):
    metric: str
    zh: str
    en: str
    value: Yuan | int | None = _f("元（金额）或个数；不公布的个人计数为 null / yuan for amounts, else a count; a "
                                  "withheld count of people is null")
    suppressed: list[str] | None = _suppressed()


class PublishedReport(ReportSummary):
    body: str
    figures: list[LiveFigure] = _f("发布时所取的数字 / figures as drawn when published (live for reports "
                                   "published before their positions were kept)")
    as_of: str
    log_positions: dict[str, int] = _f("数字所依据的日志位置 / the log positions the figures are drawn at")
    images: list[str] = _f("图片地址 / image paths")


# ---- statistics ---------------------------------------------------------------------------

class DistrictVillages(Model):
    code: str
    name: str
    villages: int


class Overview(Model):
    villages_total: int
    districts: list[DistrictVillages]


class Headline(Model):
    villages_registered: int
    villages_designated: int
    teams_stationed: int
    income_year: int | None
    villages_at_income_target: int
    villages_income_reported: int
    allocated_yuan: Yuan
    disbursed_yuan: Yuan
    disbursement_rate_pct: str | None
    weak_without_team: int
    low_income_gap: PersonCount
    suppressed: list[str] | None = _suppressed()


class HeadlineAnswer(Stated):
    headline: Headline


class EventRef(Model):
    source: str
    position: int
    event_id: str


class Screening(Model):
    run_id: str
    quota: int | None
    considered: int | None
    designated: int | None
    added: int | None
    removed: int | None
    rule: str | None
    rule_version: Any = None
    tie_break: str | None
    cutoff_average_yuan: Yuan | None
    completed_at: str
    event: EventRef


class Designation(ByDistrict):
    screening: Screening | None


class RankedVillage(Model):
    rank: int
    code: str
    name: str | None
    district: str
    town: str | None
    average_yuan: Yuan
    income_yuan: dict[str, Yuan] = _f("各年收入 / income per year")
    designated: bool


class Ranked(Stated):
    screening: Screening | None
    total: int
    items: list[RankedVillage]


class IncomeYear(Model):
    year: int
    city: Columns
    districts: list[DistrictRow]


class FarmerGrowth(Model):
    year: int
    weak_villages_compared: int
    weak_average_yuan: Yuan | None
    weak_growth_pct: str | None
    city_per_capita_yuan: Yuan | None
    city_growth_pct: str | None
    faster_than_city: bool | None


class Income(Stated):
    target_yuan: Yuan
    collective: list[IncomeYear]
    farmers: list[FarmerGrowth]


class MoneyRow(Columns):
    key: str | None
    name: str | None


class Money(ByDistrict):
    unit: str
    sources: list[MoneyRow]
    tasks: list[MoneyRow]


class MoneyVillages(Stated):
    unit: str
    villages: list[MoneyRow]


class TaskProgress(Columns):
    no: int
    name: str
    name_en: str


class ActionProgress(Columns):
    code: str
    name: str
    name_en: str
    tasks: list[TaskProgress]


class Projects(ByDistrict):
    actions: list[ActionProgress]


class Cover(Columns):
    cover: str
    name: str


class LowIncome(ByDistrict):
    covers: list[Cover]


class GapVillage(Model):
    village: str
    name: str | None
    district: str | None
    gap: PersonCount
    by_cover: dict[str, PersonCount]
    suppressed: list[str] | None = _suppressed()


class Gaps(Stated):
    villages: list[GapVillage]


class CadreMonth(Model):
    month: str
    presence_days: PersonCount
    allowances_yuan: Yuan
    suppressed: list[str] | None = _suppressed()


class Cadres(ByDistrict):
    months: list[CadreMonth]


class AssessmentResult(Model):
    subject_kind: str
    subject_id: str
    name: str | None
    total: str | None
    grade: str | None
    scores: dict[str, str]


class Assessment(Stated):
    years: list[int]
    year: int | None
    grades: dict[str, dict[str, int]] = _f("各类对象各等次数 / per subject kind, subjects per grade")
    results: list[AssessmentResult]


# ---- figures and provenance ---------------------------------------------------------------

class MetricInfo(Model):
    name: str
    zh: str
    en: str
    unit: str
    breakdowns: list[str]


class Catalogue(Model):
    metrics: list[MetricInfo]


class Group(Columns):
    value: Yuan | int | None
    rows: PersonCount


class Figure(Stated):
    metric: str
    zh: str
    en: str
    value: Yuan | int | None
    rows: PersonCount = None
    suppressed: list[str] | None = _suppressed()
    groups: list[Group] | None = _f("按 by 分组时 / with by=, one per group")


class ExplainedEvent(Model):
    source: str
    position: int
    event_id: str
    type: str
    occurred_at: str = _f("业务时间 / business time")


class SourceCount(Model):
    source: str
    type: str = _f("事件类型 / event type")
    events: PersonCount = _f("该类事件数 / how many events of this type")
    suppressed: list[str] | None = _suppressed()


class Explanation(Stated):
    metric: str
    zh: str
    en: str
    value: Yuan | int | None
    rows: PersonCount
    events_total: PersonCount
    events: list[ExplainedEvent] = _f("所依据的事件；涉及个人的指标在公开回答中不逐条列出 / the events the figure "
                                      "rests on; for a figure about people a public answer lists none, only sources")
    sources: list[SourceCount] = _f("按来源与事件类型计数 / how many events of each type from each source")
    suppressed: list[str] | None = _suppressed()


class Point(Model):
    date: str
    value: Yuan | int | None
    suppressed: list[str] | None = _suppressed()


class Timeline(Model):
    metric: str
    zh: str
    en: str
    points: list[Point]
    disclosure: Disclosure | None = None


class VillageHit(Model):
    code: str
    name: str
    district: str
    town: str
    designated: bool = _f("当前是否薄弱村 / designated now")
    district_name: str | None


class VillageSearch(Model):
    items: list[VillageHit]


class VillageStory(Stated):
    village: dict[str, Any] = _f("一村一档：名录、认定、工作队、资金、项目、收入、低收入保障 / the village's "
                                 "whole story: directory, designation, teams, money, projects, income, low income. Whether a team's "
                                 "first secretary completed the training (teams[].first_secretary_trained) is a fact "
                                 "about one person: officials reading exact figures only / officials only")


class StatisticsJson(Stated):
    columns: list[str]
    rows: list[dict[str, str | int | bool | None]] = _f(
        "每行一项数字：计数为整数，金额为元（字符串，两位小数）；不公布的个人计数为 null 并注 suppressed: true / one "
        "figure a row: counts as integers, money as yuan strings with two decimals; a withheld count of people is "
        "null with suppressed: true")


# ---- operations ---------------------------------------------------------------------------

class TopicLag(Model):
    source: str
    topic: str
    events_behind: int
    seconds_behind: float | None
    applied_position: int
    last_recorded_at: str | None


class ProjectionLag(Model):
    projection: str
    events_behind: int
    seconds_behind: float | None
    topics: list[TopicLag]


class Lag(Model):
    projections: list[ProjectionLag]
    feed_seq: int = _f("变更流最新序号 / the live feed's last change number")
