"""Events published by the assessment service on ``assessment.events``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.eventstore import DomainEvent

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


class ProjectPlanned(DomainEvent, type="ProjectPlanned", version=1, service=SERVICE):
    """项目立项. Stream ``project-<project_id>``."""

    project_id: str
    village_code: str
    district: str
    action_code: str
    task_no: int = Field(ge=1, le=19)
    title: str
    planned_start: date
    planned_end: date
    milestones: list[PlannedMilestone]


class MilestoneReported(DomainEvent, type="MilestoneReported", version=1, service=SERVICE):
    project_id: str
    milestone_id: str
    village_code: str
    reported_on: date
    evidence_text: str
    evidence_sha256: list[str] = Field(default_factory=list)


class MilestoneVerified(DomainEvent, type="MilestoneVerified", version=1, service=SERVICE):
    """节点验收通过: funding releases the tranche tied to this milestone."""

    project_id: str
    milestone_id: str
    village_code: str
    district: str
    task_no: int
    verified_on: date


class MilestoneReturned(DomainEvent, type="MilestoneReturned", version=1, service=SERVICE):
    project_id: str
    milestone_id: str
    village_code: str
    reason: str


class ProjectCompleted(DomainEvent, type="ProjectCompleted", version=1, service=SERVICE):
    project_id: str
    village_code: str
    district: str
    task_no: int
    completed_on: date


class CollectiveIncomeReported(DomainEvent, type="CollectiveIncomeReported", version=1, service=SERVICE):
    """村集体经营性收入（年）. Stream ``income-<village_code>``."""

    village_code: str
    district: str
    year: int
    income_fen: int
    note: str | None = None
    flagged: bool = False
    flag_reason: str | None = None


class FarmerIncomeReported(DomainEvent, type="FarmerIncomeReported", version=1, service=SERVICE):
    """农民人均可支配收入（年）."""

    village_code: str
    district: str
    year: int
    per_capita_fen: int


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


class EligibilityRecorded(DomainEvent, type="EligibilityRecorded", version=1, service=SERVICE):
    person_id: str
    village_code: str
    district: str
    cover: Cover
    eligible: bool


class CoverageRecorded(DomainEvent, type="CoverageRecorded", version=1, service=SERVICE):
    person_id: str
    village_code: str
    district: str
    cover: Cover
    covered_on: date


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


class RectificationReported(DomainEvent, type="RectificationReported", version=1, service=SERVICE):
    inspection_id: str
    finding_id: str
    reported_on: date
    text: str


class RectificationAccepted(DomainEvent, type="RectificationAccepted", version=1, service=SERVICE):
    inspection_id: str
    finding_id: str
    accepted_on: date


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


class AssessmentScore(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject_kind: Literal["team", "unit", "district"]
    subject_id: str
    scores: dict[str, Decimal]
    total: Decimal
    grade: Literal["优秀", "良好", "一般", "较差"]


class AssessmentComputed(DomainEvent, type="AssessmentComputed", version=1, service=SERVICE):
    """Scores computed from the history as of ``as_of`` plus assessors' marks. Stream ``assessment-<year>``."""

    year: int
    as_of: date
    results: list[AssessmentScore]


class AssessmentPublished(DomainEvent, type="AssessmentPublished", version=1, service=SERVICE):
    year: int
    as_of: date
    results: list[AssessmentScore]
