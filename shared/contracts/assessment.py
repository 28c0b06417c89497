"""Events published by the assessment service on ``assessment.events``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.eventstore import DomainEvent, upcaster
from shared.privacy.sealed import Sealed

SERVICE = "assessment"
Cover = Literal["medical_insurance", "education_aid", "housing_renovation"]


class CatalogueTask(BaseModel):
    model_config = ConfigDict(frozen=True)

    no: int = Field(ge=1)
    name_zh: str
    name_en: str


class CatalogueAction(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str = Field(description="industry / ecology / culture / organisation / talent")
    name_zh: str
    name_en: str
    tasks: list[CatalogueTask]


class TaskCatalogueVersioned(DomainEvent, type="TaskCatalogueVersioned", version=1, service=SERVICE):
    """五大行动、19 项任务 as in force from ``effective_from``. Stream ``catalogue``."""

    catalogue_version: int
    effective_from: date
    actions: list[CatalogueAction]


class PlannedMilestone(BaseModel):
    model_config = ConfigDict(frozen=True)

    milestone_id: str
    title: str
    due_on: date
    funding_share_pct: Decimal | None = Field(None, ge=0, le=100)


class ProjectEvent(DomainEvent):
    """What every event of a project names first: the project and its village."""

    project_id: str
    village_code: str
    district: str


class MilestoneEvent(DomainEvent):
    """What every event of a milestone names first."""

    project_id: str
    milestone_id: str
    village_code: str


class DistrictMilestoneEvent(MilestoneEvent):
    district: str


class VillageYearReport(DomainEvent):
    """A yearly figure reported or reviewed for one village."""

    village_code: str
    district: str
    year: int


class PersonEvent(DomainEvent):
    """低收入人口: pseudonymous person id and village; no name, no ID number."""

    person_id: str
    village_code: str
    district: str


class CoverEvent(PersonEvent):
    cover: Cover


class FindingEvent(DomainEvent):
    inspection_id: str
    finding_id: str


class ProjectPlanned(ProjectEvent, type="ProjectPlanned", version=1, service=SERVICE):
    """项目立项. Stream ``project-<project_id>``."""

    action_code: str
    task_no: int = Field(ge=1, le=19)
    title: str
    planned_start: date
    planned_end: date
    milestones: list[PlannedMilestone]


class MilestoneReported(MilestoneEvent, type="MilestoneReported", version=1, service=SERVICE):
    reported_on: date
    evidence_text: str
    evidence_sha256: list[str] = Field(default_factory=list)
    reported_by: str | None = Field(None, description="填报人 / who reported it (the verifier must be someone else)")


class MilestoneVerified(DistrictMilestoneEvent, type="MilestoneVerified", version=1, service=SERVICE):
    """节点验收通过: funding releases the tranche tied to this milestone."""

    task_no: int
    verified_on: date
    verified_by: str | None = Field(None, description="验收人 / assessor who verified it")


class MilestoneReturned(MilestoneEvent, type="MilestoneReturned", version=1, service=SERVICE):
    reason: str
    returned_on: date | None = None
    returned_by: str | None = None


class ProjectCompleted(ProjectEvent, type="ProjectCompleted", version=1, service=SERVICE):
    task_no: int
    completed_on: date


class ProjectReplanned(ProjectEvent, type="ProjectReplanned", version=1, service=SERVICE):
    """项目调整计划: the project's title and period as they stand now (milestones keep theirs)."""

    title: str
    planned_start: date
    planned_end: date
    reason: str
    replanned_by: str | None = None


class MilestoneReplanned(DistrictMilestoneEvent, type="MilestoneReplanned", version=1, service=SERVICE):
    """节点调整计划: a milestone not yet verified gets a new title or due day."""

    title: str
    due_on: date
    reason: str
    replanned_by: str | None = None


class ProjectCancelled(ProjectEvent, type="ProjectCancelled", version=1, service=SERVICE):
    """项目撤销: its milestones not verified are cancelled with it; funding returns the tranches
    they would have released to the line."""

    task_no: int
    cancelled_on: date
    cancelled_milestone_ids: list[str] = Field(description="随项目撤销的未验收节点 / milestones not verified, cancelled with it")
    reason: str
    cancelled_by: str | None = None


class MilestoneCancelled(DistrictMilestoneEvent, type="MilestoneCancelled", version=1, service=SERVICE):
    """节点撤销 (never a verified one): funding returns the tranche tied to it to the line."""

    cancelled_on: date
    reason: str
    cancelled_by: str | None = None


class CollectiveIncomeReported(VillageYearReport, type="CollectiveIncomeReported", version=1, service=SERVICE):
    """村集体经营性收入（年）. Stream ``income-<village_code>``."""

    income_fen: int
    note: str | None = None
    flagged: bool = False
    flag_reason: str | None = None
    reported_by: str | None = Field(None, description="填报人 / who reported it (a reviewer must be someone else)")


class FarmerIncomeReported(VillageYearReport, type="FarmerIncomeReported", version=1, service=SERVICE):
    """农民人均可支配收入（年）."""

    per_capita_fen: int
    note: str | None = None
    flagged: bool = False
    flag_reason: str | None = None
    reported_by: str | None = Field(None, description="填报人 / who reported it (a reviewer must be someone else)")


class IncomeReportReviewed(VillageYearReport, type="IncomeReportReviewed", version=1, service=SERVICE):
    """复核被标记的收入报告: accepted (it counts, no longer flagged) or rejected (it no longer
    counts in any figure until a new report for the year). Stream ``income-<village_code>``."""

    measure: Literal["collective", "farmer"] = Field(description="collective 村集体经营性收入 / farmer 农民人均可支配收入")
    amount_fen: int = Field(description="复核的数额 / the figure reviewed")
    accepted: bool
    reason: str
    reviewed_on: date
    reviewed_by: str | None = None


class CityIncomeGrowthReported(DomainEvent, type="CityIncomeGrowthReported", version=1, service=SERVICE):
    """全市农民人均可支配收入及增幅（年）."""

    year: int
    per_capita_fen: int
    growth_pct: Decimal


class LowIncomePersonRegistered(DomainEvent, type="LowIncomePersonRegistered", version=1, service=SERVICE):
    """低收入人口, under a pseudonymous id: no name, no ID number."""

    person_id: str
    household_id: str
    village_code: str
    district: str


class EligibilityRecorded(CoverEvent, type="EligibilityRecorded", version=1, service=SERVICE):
    eligible: bool
    recorded_on: date | None = Field(None, description="认定日期 / the day eligibility was determined")


class CoverageRecorded(CoverEvent, type="CoverageRecorded", version=1, service=SERVICE):
    covered_on: date


class CoverageEnded(CoverEvent, type="CoverageEnded", version=2, service=SERVICE):
    """保障终止 (e.g. the insurance lapsed): the person is a gap again while still eligible.

    The reason is about the person (moved away, died, income rose): sealed with their data key,
    which only assessment holds (v2; v1 had it in clear).
    """

    ended_on: date
    reason: Sealed = Field(description="终止原因（密文）/ why it ended, sealed")


@upcaster("CoverageEnded", 1)
def _coverage_ended_v1(payload: dict) -> dict:
    return {**payload, "reason": Sealed.clear(f"person-{payload['person_id']}", payload["reason"]).model_dump()}


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    finding_id: str
    text: str
    deadline: date


class InspectionRecorded(DomainEvent, type="InspectionRecorded", version=1, service=SERVICE):
    """督导检查. Stream ``inspection-<inspection_id>``."""

    inspection_id: str
    target_kind: Literal["village", "team"]
    target_id: str
    district: str
    inspected_on: date
    findings: list[Finding]


class RectificationReported(FindingEvent, type="RectificationReported", version=1, service=SERVICE):
    reported_on: date
    text: str
    reported_by: str | None = None


class RectificationAccepted(FindingEvent, type="RectificationAccepted", version=1, service=SERVICE):
    accepted_on: date
    accepted_by: str | None = None


class RectificationReturned(FindingEvent, type="RectificationReturned", version=1, service=SERVICE):
    """整改不到位，退回 / the rectification was not accepted; the finding stays open."""

    returned_on: date
    reason: str
    returned_by: str | None = None


class RubricDimension(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name_zh: str
    name_en: str
    weight: Decimal


class RubricDefined(DomainEvent, type="RubricDefined", version=1, service=SERVICE):
    """年度考核细则. Stream ``rubric-<year>``."""

    year: int
    dimensions: list[RubricDimension]
    grade_cutoffs: dict[str, Decimal] = Field(description="优秀/良好/一般 minimum totals; below 一般 is 较差")
    rubric_version: int = Field(1, description="该年细则的第几版 / version of this year's rubric")
    params: dict[str, Decimal] = Field(
        default_factory=dict, description="计分参数，如应驻村天数 / scoring parameters, e.g. presence days a year"
    )


class AssessmentScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject_kind: Literal["team", "unit", "district"]
    subject_id: str
    scores: dict[str, Decimal]
    total: Decimal
    grade: Literal["优秀", "良好", "一般", "较差"]
    basis: dict[str, str] = Field(
        default_factory=dict, description="各维度的计算依据（分子/分母）/ what each score was computed from"
    )


class AssessorMarkRecorded(DomainEvent, type="AssessorMarkRecorded", version=1, service=SERVICE):
    """考核组评分 for one subject and year. Stream ``assessment-<year>``."""

    year: int
    subject_kind: Literal["team", "unit", "district"]
    subject_id: str
    mark: Decimal = Field(ge=0, le=100)
    note: str | None = None
    marked_by: str | None = None


# No event may exceed the event store's limit (256 KiB): a year of the whole programme (450
# teams, their units, 16 districts) is over 500 KB of results. More results than this travel in
# ``AssessmentResultsPage`` events; a row with its basis is 0.6–1 KB as JSON (every dimension's
# basis at its longest), so a page stays under 100 KB.
RESULTS_PAGE_SIZE = 100


class AssessmentResultsPage(DomainEvent, type="AssessmentResultsPage", version=1, service=SERVICE):
    """One page of a computation's or a publication's results. Stream ``assessment-<year>``: a
    step's pages come first, in order, then its ``AssessmentComputed`` or ``AssessmentPublished``
    (``pages`` > 0), in the same transaction."""

    year: int
    as_of: date
    step: Literal["computed", "published"] = Field(description="computed 计算 / published 发布: whose results")
    page: int = Field(ge=1, description="页码，自 1 起 / page number, from 1")
    pages: int = Field(ge=1, description="该步骤的页数 / how many pages the step has")
    results: list[AssessmentScore] = Field(max_length=RESULTS_PAGE_SIZE)


class AssessmentComputed(DomainEvent, type="AssessmentComputed", version=2, service=SERVICE):
    """Scores computed from the history as of ``as_of`` plus assessors' marks. Stream ``assessment-<year>``.

    Version 2: with more results than a page holds, they are in the ``pages``
    ``AssessmentResultsPage`` events (step ``computed``) just before it, and ``results`` is
    empty; otherwise ``pages`` is 0 and they are here. Version 1 always had them here
    (upcast: ``pages = 0``).
    """

    year: int
    as_of: date
    results: list[AssessmentScore]  # no bound: version 1 history carries any number inline
    cutoff: dict[str, int] = Field(
        default_factory=dict,
        description="每个来源服务已计入的日志位置上限 / per source service, the log position facts were read up to",
    )
    rubric_version: int | None = None
    marks_through: int | None = Field(None, description="计入的评分事件数 / assessors' marks counted up to this stream version")
    computed_by: str | None = None
    pages: int = Field(0, ge=0, description="之前的结果分页事件数 / AssessmentResultsPage events before this one")


@upcaster("AssessmentComputed", 1)
def _computed_v1_to_v2(p: dict) -> dict:
    return p | {"pages": 0}


class AssessmentReviewed(DomainEvent, type="AssessmentReviewed", version=1, service=SERVICE):
    """复核：通过或退回 / a second person approved the computation, or sent it back."""

    year: int
    as_of: date
    approved: bool
    note: str | None = None
    reviewed_by: str | None = None


class AssessmentPublished(DomainEvent, type="AssessmentPublished", version=2, service=SERVICE):
    """发布考核结果. Version 2: paged as ``AssessmentComputed`` (pages of step ``published``
    before it, ``results`` empty) when there are more results than a page holds; version 1
    always had them here (upcast: ``pages = 0``)."""

    year: int
    as_of: date
    results: list[AssessmentScore]
    pages: int = Field(0, ge=0, description="之前的结果分页事件数 / AssessmentResultsPage events before this one")


@upcaster("AssessmentPublished", 1)
def _published_v1_to_v2(p: dict) -> dict:
    return p | {"pages": 0}
