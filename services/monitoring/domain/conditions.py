"""When a condition becomes an alert: pure date arithmetic on a rule's thresholds.

A condition holds *since* a business day (a request's day, a milestone's due day, the day a
village was left without a team). A time-based rule raises on the first closed business day
more than its threshold after that; an immediate rule (no time in it) as soon as the
condition opens.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from shared.contracts.monitoring import RuleChanged

# Raised on the tripping event itself, without waiting for a day to close.
IMMEDIATE = frozenset({"income.report_flagged", "income.drop", "village.below_target_final_year",
                       "ops.subscription_paused", "ops.quarantined_event"})
# The threshold that counts days, per time-based rule.
DAY_THRESHOLD = {
    "milestone.overdue": "grace_days",
    "disbursement.awaiting_approval": "days",
    "disbursement.approved_unpaid": "days",
    "allocation.idle": "days",
    "village.without_team": "days",
    "rectification.overdue": "grace_days",
    "person.eligible_not_covered": "days",
}


def threshold(rule: RuleChanged, name: str) -> int:
    return next(t.value for t in rule.thresholds if t.name == name)


def first_alert_day(rule: RuleChanged, since: date) -> date:
    """"More than N days": the condition must still hold when day since + N + 1 closes."""
    return since + timedelta(days=threshold(rule, DAY_THRESHOLD[rule.rule_id]) + 1)


def is_due(rule: RuleChanged | None, since: date, day: date) -> bool:
    return rule is not None and rule.enabled and rule.rule_id in DAY_THRESHOLD and day >= first_alert_day(rule, since)


def dropped(rule: RuleChanged | None, previous_fen: int, income_fen: int) -> int | None:
    """The drop in ‰ of last year's figure when it is more than the rule's percent, else None."""
    if rule is None or previous_fen <= 0 or income_fen >= previous_fen:
        return None
    permille = (previous_fen - income_fen) * 1000 // previous_fen
    return permille if permille > threshold(rule, "percent") * 10 else None


def below_target(rule: RuleChanged | None, year: int, income_fen: int) -> bool:
    return rule is not None and year == threshold(rule, "final_year") and income_fen < threshold(rule, "target_fen")


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def presence_required(rule: RuleChanged, first: date, last: date, leave_days: int) -> int:
    """The month's requirement, less approved leave within it (never above the month's days)."""
    return max(0, min(threshold(rule, "days_per_month"), (last - first).days + 1) - leave_days)


def quarter_closed_by(day: date) -> int | None:
    """The quarter (1–4) whose last day ``day`` is, else None."""
    return day.month // 3 if is_month_end(day) and day.month % 3 == 0 else None


def quarters_ended_before(year: int, day: date) -> int:
    """How many of ``year``'s quarters had ended before ``day`` (4 once the year is over): the
    quarter a move on ``day`` is judged against, when days close one by one."""
    return sum(end < day for end in (date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)))


def spend_expected(rule: RuleChanged | None, quarter: int, plan_fen: int, spent_fen: int) -> int | None:
    """The year's plan is spent evenly over its quarters: by the end of ``quarter`` a district
    should have paid ``quarter``/4 of it. Behind when it paid less than that, less the rule's
    ``percent_behind`` of the plan; the floor it missed (fen) then, else None."""
    if rule is None or not rule.enabled or plan_fen <= 0:
        return None
    floor = plan_fen * (25 * quarter - threshold(rule, "percent_behind")) // 100
    return floor if spent_fen < floor else None

