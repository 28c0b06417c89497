"""规则目录 / the rule catalogue: what monitoring watches for, and the ``Rule`` aggregate.

Every rule of issue 16, item 2 is defined here with its zh-CN and English title, the
thresholds it takes (each with the range the city office may set), severity, who is told,
when an unacknowledged alert goes up a level and how many times at most (``escalate_at_most``). Version 1 of each is seeded as a
``RuleChanged`` event on the first start; the city office changes a rule by a new version
that applies from its ``effective_on`` business day (``rule-<rule_id>`` stream).

``evaluated`` says whether the worker evaluates the rule yet (README: "Rules and where
they are kept"); a rule not evaluated can still be edited, so its thresholds are ready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.monitoring import ESCALATE_AT_MOST, Audience, RuleChanged, Severity, SubjectKind, Threshold
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound

from services.monitoring.config import PROGRAMME_START


@dataclass(frozen=True)
class Bound:
    """A threshold's default and the values the city office may choose."""

    default: int
    low: int
    high: int
    unit_zh: str
    unit_en: str


@dataclass(frozen=True)
class RuleDefinition:
    rule_id: str
    title_zh: str
    title_en: str
    subject_kind: SubjectKind
    severity: Severity
    thresholds: dict[str, Bound]
    audience: tuple[Audience, ...]
    escalate_after_days: int | None
    escalate_to: tuple[Audience, ...]
    evaluated: bool = False
    group: str = field(default="money")

    @property
    def title(self) -> str:
        return f"{self.title_zh} / {self.title_en}"


DAYS = ("天", "days")
_D = lambda default, low=1, high=3650: Bound(default, low, high, *DAYS)  # noqa: E731
_PCT = lambda default: Bound(default, 1, 100, "%", "percent")  # noqa: E731

DEFINITIONS: tuple[RuleDefinition, ...] = (
    # 项目 / projects
    RuleDefinition("milestone.overdue", "项目节点逾期未验收", "milestone overdue, not verified", "milestone",
                   "warning", {"grace_days": _D(0, 0, 365)}, ("first_secretary", "unit", "district_official"), 5,
                   ("city_office",), evaluated=True, group="projects"),
    RuleDefinition("rectification.overdue", "督导整改逾期", "rectification overdue after an inspection", "inspection",
                   "warning", {"grace_days": _D(0, 0, 365)}, ("district_official", "inspector"), 5, ("city_office",),
                   evaluated=True, group="projects"),
    # 资金 / money
    RuleDefinition("disbursement.awaiting_approval", "拨付申请久未审批", "disbursement waiting for approval",
                   "disbursement", "warning", {"days": _D(14)}, ("finance_officer", "district_official"), 5,
                   ("city_office",), evaluated=True),
    RuleDefinition("disbursement.approved_unpaid", "拨付已批未付", "disbursement approved but unpaid", "disbursement",
                   "warning", {"days": _D(10)}, ("finance_officer", "district_official"), 5, ("city_office",),
                   evaluated=True),
    RuleDefinition("allocation.idle", "资金分配后长期未申请拨付", "allocation idle: nothing requested",
                   "allocation", "info", {"days": _D(90)}, ("district_official", "unit"), 10, ("city_office",),
                   evaluated=True),
    RuleDefinition("district.spend_behind_plan", "区资金支出进度落后于年度计划", "district spend behind the year's plan",
                   "district", "warning", {"percent_behind": _PCT(15)}, ("district_official", "finance_officer"), 10,
                   ("city_office",), evaluated=True),
    # 干部与工作队 / cadres and teams
    RuleDefinition("cadre.presence_below_requirement", "驻村天数低于当月要求", "cadre presence below the month's requirement",
                   "cadre", "warning", {"days_per_month": _D(20, 1, 31)}, ("unit", "district_official"), 5,
                   ("city_office",), evaluated=True, group="teams"),
    RuleDefinition("cadre.leave_beyond_quota", "请假超出额度", "leave beyond quota", "cadre", "warning",
                   {"quota_days": _D(30, 1, 365)}, ("unit", "district_official"), 5, ("city_office",), group="teams"),
    RuleDefinition("first_secretary.untrained", "第一书记未经集中培训即入村", "first secretary entering untrained", "cadre",
                   "critical", {"days": _D(0, 0, 365)}, ("unit", "district_official"), 3, ("city_office",),
                   group="teams"),
    RuleDefinition("village.without_team", "认定村长期无工作队", "designated village without a team", "village",
                   "critical", {"days": _D(30)}, ("district_official", "city_office"), 5, ("city_office",),
                   evaluated=True, group="teams"),
    # 收入 / incomes
    RuleDefinition("income.report_flagged", "收入报告被标记存疑", "income report flagged", "village", "warning", {},
                   ("district_official", "assessor"), 10, ("city_office",), evaluated=True, group="incomes"),
    RuleDefinition("income.drop", "村集体收入大幅下降", "collective income dropped", "village", "warning",
                   {"percent": _PCT(20)}, ("district_official", "assessor"), 10, ("city_office",), evaluated=True,
                   group="incomes"),
    RuleDefinition("village.below_target_final_year", "收官之年村集体收入未达20万元",
                   "village below the 200,000-yuan target in the final year", "village", "critical",
                   {"target_fen": Bound(20_000_000, 1, 10**12, "分", "fen"),
                    "final_year": Bound(2024, 2021, 2035, "年", "year")}, ("district_official", "city_office"), 10,
                   ("city_office",), evaluated=True, group="incomes"),
    RuleDefinition("person.eligible_not_covered", "符合低保条件但未纳入保障", "person eligible for protection, not covered",
                   "person", "critical", {"days": _D(30)}, ("district_official",), 5, ("city_office",),
                   evaluated=True, group="incomes"),
    # 运维 / operations
    RuleDefinition("ops.projection_lag", "读模型滞后", "projection lagging", "projection", "warning",
                   {"seconds": Bound(60, 1, 86_400, "秒", "seconds")}, ("operations",), None, (), evaluated=True,
                   group="operations"),
    RuleDefinition("ops.quarantined_event", "事件被隔离", "quarantined event", "projection", "critical", {},
                   ("operations",), None, (), evaluated=True, group="operations"),
    RuleDefinition("ops.subscription_paused", "推送订阅连续失败已暂停", "webhook subscription paused after failures",
                   "subscription", "warning", {}, ("operations",), None, (), evaluated=True, group="operations"),
)
CATALOGUE: dict[str, RuleDefinition] = {d.rule_id: d for d in DEFINITIONS}


class ChangeRule(BaseModel):
    """修改规则 / a new version of a rule, from a business day on."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    effective_on: IsoDate = Field(description="生效业务日 / first business day it applies to")
    enabled: bool = True
    severity: Severity
    thresholds: dict[str, int] = Field(default_factory=dict, max_length=10,
                                       description="阈值名 → 整数值 / threshold name → whole number")
    audience: list[Audience] = Field(min_length=1, max_length=8)
    escalate_after_days: int | None = Field(None, ge=1, le=365)
    escalate_to: list[Audience] = Field(default_factory=list, max_length=8)
    escalate_at_most: int = Field(ESCALATE_AT_MOST, ge=1, le=10,
                                  description="最多升级次数（1–10）/ how many times at most an alert escalates")
    reason: str = Field(min_length=1, max_length=500, description="变更理由（不含个人信息）/ why (no personal data)")


def definition(rule_id: str) -> RuleDefinition:
    try:
        return CATALOGUE[rule_id]
    except KeyError:
        raise NotFound(f"没有规则 {rule_id} / no rule {rule_id}", field="rule_id", location="path") from None


def check_thresholds(rule: RuleDefinition, thresholds: dict[str, int]) -> list[Threshold]:
    """Exactly the rule's threshold names, each within its bounds (422 on the field otherwise)."""
    unknown = sorted(set(thresholds) - set(rule.thresholds))
    if unknown:
        raise DomainError(f"规则 {rule.rule_id} 没有阈值 {', '.join(unknown)}；可用：{', '.join(rule.thresholds) or '无'} / "
                          f"rule {rule.rule_id} has no threshold {', '.join(unknown)}", field=f"thresholds.{unknown[0]}")
    out = []
    for name, bound in rule.thresholds.items():
        value = thresholds.get(name, bound.default)
        if not bound.low <= value <= bound.high:
            raise DomainError(f"阈值 {name} 须在 {bound.low}–{bound.high}{bound.unit_zh}之间，收到 {value} / threshold "
                              f"{name} must be {bound.low}–{bound.high} {bound.unit_en}, got {value}",
                              field=f"thresholds.{name}")
        out.append(Threshold(name=name, value=value))
    return out


def first_version(rule: RuleDefinition) -> RuleChanged:
    return RuleChanged(
        rule_id=rule.rule_id, rule_version=1, effective_on=PROGRAMME_START, enabled=True, severity=rule.severity,
        thresholds=[Threshold(name=n, value=b.default) for n, b in rule.thresholds.items()],
        audience=list(rule.audience), escalate_after_days=rule.escalate_after_days,
        escalate_to=list(rule.escalate_to), escalate_at_most=ESCALATE_AT_MOST, reason="初始目录 / the initial catalogue")


class Rule(Aggregate):
    """One rule's versions, in the order they were issued."""

    stream_prefix: ClassVar[str] = "rule"

    def __init__(self, key: str):
        super().__init__(key)
        self.versions: list[RuleChanged] = []

    def seed(self) -> RuleChanged | None:
        if self.versions:
            return None
        event = first_version(definition(self.key))
        self.record(event)
        return event

    def change(self, cmd: ChangeRule, first_open_day: date | None) -> RuleChanged:
        rule = definition(self.key)
        self.seed()  # a change before the seed (a fresh store): version 1 first, as everywhere
        if first_open_day is not None and cmd.effective_on < first_open_day:
            raise Conflict(f"生效日 {cmd.effective_on} 已结账（首个未结业务日 {first_open_day}）/ business day "
                           f"{cmd.effective_on} is closed; the first open day is {first_open_day}", field="effective_on")
        if cmd.escalate_after_days is not None and not cmd.escalate_to:
            raise DomainError("设置升级天数时须指明升级对象 / escalate_to is needed with escalate_after_days",
                              field="escalate_to")
        if self.versions and cmd.effective_on < self.versions[-1].effective_on:
            raise Conflict(f"生效日不得早于上一版本（{self.versions[-1].effective_on}）/ effective_on may not precede the "
                           f"last version's ({self.versions[-1].effective_on})", field="effective_on")
        event = RuleChanged(
            rule_id=rule.rule_id, rule_version=len(self.versions) + 1,
            effective_on=cmd.effective_on, enabled=cmd.enabled, severity=cmd.severity,
            thresholds=check_thresholds(rule, cmd.thresholds), audience=list(dict.fromkeys(cmd.audience)),
            escalate_after_days=cmd.escalate_after_days, escalate_to=list(dict.fromkeys(cmd.escalate_to)),
            escalate_at_most=cmd.escalate_at_most, reason=cmd.reason)
        self.record(event)
        return event

    def when_RuleChanged(self, event: RuleChanged) -> None:
        self.versions.append(event)


def in_force(versions: list[RuleChanged], day: date) -> RuleChanged | None:
    """The version that applies on ``day``: the latest issued with ``effective_on`` ≤ day."""
    chosen = None
    for v in versions:
        if v.effective_on <= day and (chosen is None or v.rule_version > chosen.rule_version):
            chosen = v
    return chosen
