"""What the assessment API answers: one model per response shape, as the routes return them
today (money as yuan text, percentages as decimal text, days as ISO dates)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from shared.contracts.assessment import (
    AssessmentScore,
    AssessorMarkRecorded,
    AssessmentReviewed,
    CatalogueAction,
    Cover,
    RubricDimension,
)

Yuan = str  # yuan with two decimals, as text: "200000.00"
StreamVersion = Field(description="聚合流版本（并发控制）/ the aggregate's stream version after the command")
AsOf = Field(description="截至日期 / as of this day")

# 任务目录 / catalogue


class CatalogueVersion(BaseModel):
    catalogue_version: int = Field(description="目录版本号 / catalogue version")
    effective_from: date = Field(description="生效日期 / in force from this day")
    actions: list[CatalogueAction] = Field(description="五大行动及其任务 / the actions and their tasks")


class CatalogueInForce(CatalogueVersion):
    as_of: date = AsOf


class CatalogueHistory(BaseModel):
    versions: list[CatalogueVersion]


class CatalogueIssued(BaseModel):
    catalogue_version: int
    effective_from: date
    tasks: int = Field(description="任务数 / number of tasks")


# 项目与节点 / projects and milestones


class ProjectPlannedView(BaseModel):
    project_id: str
    district: str = Field(description="区代码（来自村登记）/ district code, from the register")
    action_code: str = Field(description="所属行动 / the action the task belongs to")
    stream_version: int = StreamVersion


class MilestoneView(BaseModel):
    milestone_id: str
    title: str
    due_on: date = Field(description="计划完成日期 / due day")
    funding_share_pct: str | None = Field(description="资金分期比例（%）/ share of the funding, percent")
    status: str = Field(description="planned / reported / verified / returned / cancelled")
    reported_on: date | None
    verified_on: date | None
    evidence_sha256: list[str] = Field(description="佐证文件 SHA-256 / evidence file hashes")
    overdue: bool = Field(description="是否逾期 / past its due day and not verified")


class ProjectHead(BaseModel):
    """项目概要 / what every view of a project starts with."""

    project_id: str
    village_code: str
    district: str
    action_code: str
    task_no: int = Field(description="任务序号 1–19 / task number")
    title: str
    planned_start: date
    planned_end: date


class ProjectView(ProjectHead):
    completed_on: date | None = Field(description="全部节点验收之日 / the day its last milestone was verified")
    cancelled_on: date | None
    milestones: list[MilestoneView]
    stream_version: int = StreamVersion


class ProjectListItem(ProjectHead):
    milestones: int = Field(description="节点数 / milestones")
    verified: int = Field(description="已验收节点数 / milestones verified")
    overdue: int = Field(description="逾期节点数 / milestones overdue")


class ProjectList(BaseModel):
    as_of: date = AsOf
    items: list[ProjectListItem]
    next_after: str | None = Field(description="下一页的 after 参数 / the `after` of the next page, if any")


class TaskProgress(BaseModel):
    action_code: str
    task_no: int
    projects: int
    done: int = Field(description="已完成 / done")
    in_progress: int = Field(description="进行中 / in progress")
    planned: int = Field(description="未开始 / not started")
    overdue_milestones: int = Field(description="逾期节点 / overdue milestones")


class ProjectSummary(BaseModel):
    as_of: date = AsOf
    district: str | None
    tasks: list[TaskProgress]


class MilestoneReportedView(BaseModel):
    project_id: str
    milestone_id: str
    status: str
    reported_on: date
    evidence_sha256: list[str]
    stream_version: int = StreamVersion


class MilestoneVerifiedView(BaseModel):
    project_id: str
    milestone_id: str
    status: str
    verified_on: date
    project_completed_on: date | None = Field(description="项目因此完成之日 / the project completed by it, if so")
    stream_version: int = StreamVersion


class MilestoneReturnedView(BaseModel):
    project_id: str
    milestone_id: str
    status: Literal["returned"]
    stream_version: int = StreamVersion


class OverdueMilestone(BaseModel):
    project_id: str
    milestone_id: str
    village_code: str
    district: str
    action_code: str
    task_no: int
    project_title: str
    title: str
    due_on: date
    status: str
    days_overdue: int = Field(description="逾期天数 / days past due")


class OverdueList(BaseModel):
    as_of: date = AsOf
    total: int = Field(description="逾期节点总数（不分页）/ all overdue milestones, across pages")
    items: list[OverdueMilestone]


# 收入 / incomes


class VillageIncomeReportedView(BaseModel):
    village_code: str
    year: int
    changed: list[str] = Field(description="记录的事件类型（未变化时为空）/ event types recorded (none if unchanged)")
    collective_income: Yuan | None = Field(description="村集体经营性收入（元）/ collective operating income, yuan")
    farmer_per_capita_income: Yuan | None = Field(description="农民人均可支配收入（元）/ farmers' per-capita income")
    flagged: bool = Field(description="待复核 / flagged for review")
    flag_reasons: list[str | None]
    stream_version: int = StreamVersion


class CityIncomeReportedView(BaseModel):
    year: int
    per_capita_income: Yuan
    growth_pct: str = Field(description="增幅（%）/ growth, percent")
    changed: bool
    stream_version: int = StreamVersion


class IncomeReviewedView(BaseModel):
    village_code: str
    year: int
    measure: Literal["collective", "farmer"]
    amount: Yuan
    accepted: bool
    reason: str
    reviewed_on: date
    stream_version: int = StreamVersion


class VillageIncomeCheck(BaseModel):
    village_code: str
    district: str
    designated: bool = Field(description="经济薄弱村 / an economically weak village")
    collective_income: Yuan | None
    reached_200k: bool = Field(description="集体经营性收入达到20万元 / collective income reached 200,000 yuan")
    farmer_per_capita_income: Yuan | None
    previous_per_capita_income: Yuan | None
    growth_pct: str | None
    beats_city: bool | None = Field(description="增幅高于全市 / growth above the city's")
    flagged: bool


class IncomeCheckSummary(BaseModel):
    villages: int
    reported: int
    reached_200k: int
    not_reached: list[str] = Field(description="未达标的村 / villages below 200,000 yuan")
    city_per_capita_income: Yuan | None
    city_growth_pct: str | None
    weak_villages_growth_pct: str | None = Field(
        description="薄弱村人均收入均值的增幅（两年均有填报的村）/ growth of the weak villages' mean, over villages "
                    "reporting both years")
    weak_villages_beat_city: bool | None
    villages_beating_city: int


class IncomeChecks(BaseModel):
    year: int
    as_of: date = AsOf
    district: str | None
    summary: IncomeCheckSummary
    villages: list[VillageIncomeCheck]


class FlaggedIncome(BaseModel):
    village_code: str
    district: str
    year: int
    measure: Literal["collective", "farmer"]
    amount: Yuan
    flag_reason: str | None
    note: str | None
    reported_on: date


class FlaggedIncomes(BaseModel):
    items: list[FlaggedIncome]


# 低收入保障 / low-income protection


class PersonCoverageView(BaseModel):
    person_id: str = Field(description="化名编号 / pseudonymous id")
    household_id: str
    village_code: str
    eligible: list[Cover] = Field(description="有资格的保障 / covers the person is eligible for")
    covered: dict[Cover, date] = Field(description="已落实的保障及日期 / covers in place, since")
    gaps: list[Cover] = Field(description="应保未保 / eligible but not covered")
    stream_version: int = StreamVersion


class CoverTotals(BaseModel):
    eligible: int
    covered: int
    gaps: int


class Gap(BaseModel):
    person_id: str
    household_id: str
    cover: Cover
    eligible_since: date


class VillageGaps(BaseModel):
    village_code: str
    gaps: list[Gap]


class GapList(BaseModel):
    as_of: date = AsOf
    district: str | None
    village_code: str | None
    by_cover: dict[Cover, CoverTotals]
    gaps_total: int
    villages: list[VillageGaps]


# 督导 / inspections


class FindingView(BaseModel):
    finding_id: str
    text: str
    deadline: date = Field(description="整改期限 / rectify by this day")
    status: str = Field(description="open / reported / accepted / returned")
    reported_on: date | None
    accepted_on: date | None
    overdue: bool


class Inspected(BaseModel):
    """检查对象 / what an inspection was of."""

    inspection_id: str
    target_kind: Literal["village", "team"] = Field(description="村或工作队 / a village or a work team")
    target_id: str = Field(description="村代码或工作队标识 / village code or team id")
    district: str
    inspected_on: date


class InspectionView(Inspected):
    findings: list[FindingView]
    stream_version: int = StreamVersion


class FindingItem(Inspected):
    finding_id: str
    text: str
    deadline: date
    status: str
    overdue: bool
    days_overdue: int


class FindingList(BaseModel):
    as_of: date = AsOf
    items: list[FindingItem]


# 年度考核 / annual assessment


class RubricView(BaseModel):
    year: int
    rubric_version: int
    dimensions: list[RubricDimension]
    grade_cutoffs: dict[str, str] = Field(description="各等级最低总分 / minimum total per grade")
    params: dict[str, str] = Field(description="计分参数 / scoring parameters")


class MarkRecordedView(BaseModel):
    year: int
    subject_kind: Literal["team", "unit", "district"]
    subject_id: str
    mark: str
    stream_version: int = StreamVersion


class ComputationView(BaseModel):
    year: int
    as_of: date
    cutoff: dict[str, int] = Field(description="每个来源已计入的日志位置 / per source, the log position read up to")
    rubric_version: int | None
    marks_through: int | None
    computed_by: str | None
    recorded: bool = Field(description="本次记录了新计算 / a new computation was recorded")
    reproduced: bool | None = Field(description="重算与记录相同（仅重算时）/ a re-run equalled the record (re-runs only)")
    results: list[AssessmentScore]


class AssessmentStep(BaseModel):
    """复核或发布之后 / after a review or a publication: the year, the day it is of, the stream."""

    year: int
    as_of: date = Field(description="考核截止日 / the assessment date")
    stream_version: int = StreamVersion


class AssessmentReviewView(AssessmentStep):
    approved: bool


class AssessmentPublishedView(AssessmentStep):
    subjects: int = Field(description="发布的考核对象数 / subjects published")


class AssessmentState(BaseModel):
    """考核人员与市办所见 / what assessors and the city office see."""

    year: int
    status: Literal["open", "computed", "returned", "reviewed", "published"]
    latest: ComputationView | None
    review: AssessmentReviewed | None
    published: bool
    computations: list[date]
    marks: list[AssessorMarkRecorded]
    stream_version: int = StreamVersion


class PublishedResults(BaseModel):
    """其他读者所见：已发布的结果 / what other readers see: the published results."""

    year: int
    published: bool
    as_of: date | None
    results: list[AssessmentScore] | None


class FactsStatus(BaseModel):
    watermarks: dict[str, int] = Field(description="每个来源已连续应用到的位置 / per source, applied without gaps up to")
    own_log_position: int | None = Field(description="本服务日志已排序的位置 / this service's log, sequenced up to")
    own_events_committed: int = Field(description="本服务已提交的事件数 / events this service has committed")


# 村 / villages


class VillageView(BaseModel):
    code: str
    name: str
    district: str
    designated: bool
    teams: list[str] = Field(description="对接该村的工作队 / the teams serving it")
