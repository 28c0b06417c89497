"""What the monitoring API answers (response models: the OpenAPI document says it)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel


class RuleView(BaseModel):
    rule_id: str
    title_zh: str
    title_en: str
    group: str
    subject_kind: str
    evaluated: bool
    rule_version: int
    effective_on: date
    enabled: bool
    severity: str
    thresholds: dict[str, int]
    audience: list[str]
    escalate_after_days: int | None
    escalate_to: list[str]
    escalate_at_most: int
    reason: str


class RuleWithHistory(RuleView):
    versions: list[RuleView]


class DayClosedView(BaseModel):
    day: date
    closed: bool


class DaysClosedView(BaseModel):
    through: date
    closed: int


class AlertView(BaseModel):
    alert_id: str
    rule_id: str
    rule_version: int
    severity: str
    subject_kind: str
    subject_id: str
    district: str | None
    village_code: str | None
    team_id: str | None
    audience: list[str]
    escalated_to: list[str]
    level: int
    state: str
    title: str
    figures: dict[str, int | str]
    raised_on: date
    cause_event_id: UUID | None
    escalated_on: date | None
    acknowledged_by: str | None
    acknowledged_on: date | None
    resolved_on: date | None
    resolved_how: str | None
    resolved_by: str | None
    cleared_by_event: UUID | None
    raised_position: int
    position: int


class AlertPage(BaseModel):
    total: int
    items: list[AlertView]
    next_before: int | None


class RuleCount(BaseModel):
    rule_id: str
    title_zh: str
    title_en: str
    open: int
    acknowledged: int


class DistrictCount(BaseModel):
    district: str | None  # None: operations, about no place
    name: str | None
    open: int
    acknowledged: int


class AgeBucket(BaseModel):
    label_zh: str
    label_en: str
    min_days: int
    max_days: int | None
    count: int


class AcknowledgementRow(BaseModel):
    alert_id: str
    rule_id: str
    district: str | None
    district_name: str | None
    village_code: str | None
    title: str
    state: str
    acknowledged_by: str
    acknowledged_on: date
    note: str | None


class AlertSummary(BaseModel):
    """预警概览 / unresolved alerts in the caller's scope; ages in business days to ``as_of_day``."""

    as_of_day: date | None
    unresolved: int
    by_rule: list[RuleCount]
    by_district: list[DistrictCount]
    ageing: list[AgeBucket]
    acknowledgements: list[AcknowledgementRow]


class HistoryEntry(BaseModel):
    position: int
    event_id: UUID
    type: str
    recorded_at: datetime
    on: date | None
    by: str | None
    level: int | None
    how: str | None
    cause_event_id: UUID | None
    note: str | None
    reason: str | None


class AlertDetail(AlertView):
    history: list[HistoryEntry]


class AlertChange(BaseModel):
    alert_id: str
    state: str
    acknowledged_by: str | None = None
    acknowledged_on: date | None = None
    resolved_by: str | None = None
    resolved_on: date | None = None
    resolved_how: str | None = None
