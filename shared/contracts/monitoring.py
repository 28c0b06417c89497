"""Events published by the monitoring service on ``monitoring.events``.

Monitoring watches the other four services' topics against a versioned rule catalogue
and says, once per condition, what needs an official: an alert is raised, may be
escalated, acknowledged and is resolved — by the event that cleared its condition or by
hand. Time-based rules run on business days the monitoring service records as closed
(``BusinessDayClosed``), never on a worker's clock, so a replay raises the same alerts.

Subjects are named by their ids (village codes, team, allocation, disbursement ids, the
pseudonymous ``cadre_id``/``person_id``); no name, policy number or reason about a person is
published. What an official writes on an alert (an acknowledgement's note, a manual
resolution's reason) may be about a person and is ``Sealed`` under the alert's own key.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.eventstore import DomainEvent, upcaster
from shared.privacy.sealed import Sealed

SERVICE = "monitoring"
Severity = Literal["info", "warning", "critical"]
SubjectKind = Literal["village", "team", "cadre", "person", "allocation", "disbursement", "project", "milestone",
                      "inspection", "district", "projection", "subscription"]
Audience = Literal["city_office", "district_official", "unit", "first_secretary", "finance_officer", "assessor",
                   "inspector", "operations"]
# An escalation ladder ends: what a rule version issued before the ceiling existed reads as.
ESCALATE_AT_MOST = 3


class Threshold(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(description="阈值名 / threshold name, e.g. `days`, `percent`")
    value: int = Field(description="阈值（整数：天、百分比、秒、分）/ value: whole days, percent, seconds or fen")


class RuleChanged(DomainEvent, type="RuleChanged", version=2, service=SERVICE):
    """规则变更 / a rule of the catalogue changed (thresholds, severity, audience, escalation).
    Stream ``rule-<rule_id>``. Applies to conditions evaluated on or after ``effective_on``.

    Version 2: ``escalate_at_most``, the last level an unacknowledged alert reaches; version 1
    escalated without end (upcast: the default, 3)."""

    rule_id: str
    rule_version: int = Field(description="规则版本（从 1 起）/ the rule's new version, from 1")
    effective_on: date = Field(description="生效业务日 / first business day it applies to")
    enabled: bool
    severity: Severity
    thresholds: list[Threshold]
    audience: list[Audience] = Field(description="通知对象 / who is told")
    escalate_after_days: int | None = Field(description="未确认多少业务日后升级 / business days unacknowledged "
                                                        "before escalation; none: never")
    escalate_to: list[Audience]
    reason: str = Field(description="变更理由（不含个人信息）/ why it changed (no personal data)")
    escalate_at_most: int = Field(ge=1, le=10, description="最多升级次数：升至此级后不再升级，直至确认或解除 / how "
                                                           "many times at most an alert escalates; it stays at that "
                                                           "level until acknowledged or resolved")


@upcaster("RuleChanged", 1)
def _rule_changed_v1_to_v2(p: dict) -> dict:
    return p | {"escalate_at_most": ESCALATE_AT_MOST}


class BusinessDayClosed(DomainEvent, type="BusinessDayClosed", version=1, service=SERVICE):
    """业务日结束 / a business day closed: time-based rules are evaluated as of its end.
    Stream ``calendar-<year>``; days close in order, none twice."""

    day: date


class AlertRaised(DomainEvent, type="AlertRaised", version=1, service=SERVICE):
    """预警 / a condition of a rule holds. Stream ``alert-<alert_id>``; one alert per
    (rule, subject) while the condition holds."""

    alert_id: str = Field(description="预警编号：规则与对象决定 / derived from rule and subject (and the episode)")
    rule_id: str
    rule_version: int
    severity: Severity
    subject_kind: SubjectKind
    subject_id: str = Field(description="对象编号（化名，不含姓名）/ the subject's id, pseudonymous for people")
    district: str | None = Field(description="区代码；全市性预警为空 / district code; none for city-wide alerts")
    village_code: str | None = None
    team_id: str | None = None
    audience: list[Audience]
    raised_on: date = Field(description="业务日 / business day the condition was found")
    cause_event_id: UUID | None = Field(description="触发事件 / the event that tripped it; none for a day's close")
    title: str = Field(description="标题（中文 / English）/ title, zh-CN first, English beside")
    figures: dict[str, int | str] = Field(description="依据数字（天数、金额分、比例‰…）/ the figures behind it")


class AlertEscalated(DomainEvent, type="AlertEscalated", version=1, service=SERVICE):
    """升级 / unacknowledged past the rule's escalation delay: told to the next level."""

    alert_id: str
    level: int = Field(description="升级级别（从 1 起）/ escalation level, from 1")
    escalated_to: list[Audience]
    escalated_on: date


class AlertAcknowledged(DomainEvent, type="AlertAcknowledged", version=1, service=SERVICE):
    """已知悉 / an official has taken the alert on: escalation stops."""

    alert_id: str
    by: str = Field(description="确认人（令牌主体）/ the acknowledging official's subject id")
    acknowledged_on: date
    note: Sealed = Field(description="说明（密文）/ the official's note, sealed under the alert's key")


class AlertResolved(DomainEvent, type="AlertResolved", version=1, service=SERVICE):
    """已解除 / the condition cleared (``how='cleared'``, with the event that cleared it) or an
    official closed it by hand (``how='by_hand'``, with a reason)."""

    alert_id: str
    how: Literal["cleared", "by_hand"]
    resolved_on: date
    cause_event_id: UUID | None = None
    by: str | None = None
    reason: Sealed | None = Field(None, description="手工解除理由（密文）/ why it was closed by hand, sealed")
