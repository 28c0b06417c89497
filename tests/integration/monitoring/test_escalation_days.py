"""Escalation looks only at the alerts due on a closed day, and says exactly what looking at
every open alert on every closed day says: each level once, on the day it is reached, under
the rule's version in force that day, never past its ceiling (``escalate_at_most``) — through
versions that shorten, stop and restart the escalation, raise and lower the ceiling, an
acknowledgement, a resolution, an alert raised before any day closed — and a rebuild says none
of it twice. An alert at its ceiling has no next escalation day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.contracts.monitoring import ESCALATE_AT_MOST

from services.monitoring.domain.alert import Acknowledge
from services.monitoring.domain.rules import CATALOGUE, ChangeRule
from services.monitoring.handlers.alerts import acknowledge
from services.monitoring.handlers.rules import change_rule
from tests.integration.monitoring.conftest import CITY, MonitoringHarness
from tests.integration.monitoring.test_money_rules import decided, request

RULE = "disbursement.awaiting_approval"
FIRST, LAST = date(2022, 5, 1), date(2022, 6, 30)
# awaiting_approval's escalation from each day on: every how many business days, at most how
# many times (version 1: every 5, at most 3 — the catalogue's). Version 2 raises the ceiling,
# version 4 lowers it below levels reached, version 5 raises it again.
VERSIONS = ((FIRST, 5, ESCALATE_AT_MOST), (date(2022, 5, 24), 3, 8), (date(2022, 5, 30), None, 8),
            (date(2022, 6, 8), 4, 5), (date(2022, 6, 20), 4, 10))


def ladder(rule_id: str, day: date) -> tuple[int | None, int]:
    """(escalate_after_days, escalate_at_most) in force on ``day``."""
    if rule_id != RULE:
        return CATALOGUE[rule_id].escalate_after_days, ESCALATE_AT_MOST
    return [(n, most) for since, n, most in VERSIONS if since <= day][-1]


@dataclass(frozen=True)
class Seen:
    alert_id: str
    rule_id: str
    raised_on: date
    settled_on: date | None  # acknowledged or resolved before that day closed


def reference(alerts: list[Seen]) -> list[tuple[str, int, date]]:
    """Every open, unacknowledged alert looked at on every closed day: its business days open
    (closed days since it was raised) over the rule's escalate_after_days, up to its
    escalate_at_most, when that rises."""
    out, level, day = [], {}, FIRST
    while day <= LAST:
        for a in alerts:
            n, most = ladder(a.rule_id, day)
            if a.raised_on >= day or (a.settled_on and a.settled_on <= day) or not n:
                continue
            reached = min((day - max(a.raised_on, FIRST - timedelta(days=1))).days // n, most)
            if reached > level.get(a.alert_id, 0):
                out.append((a.alert_id, reached, day))
                level[a.alert_id] = reached
        day += timedelta(days=1)
    return sorted(out)


async def change(m: MonitoringHarness, version: tuple[date, int | None, int], on: date) -> None:
    d, (effective_on, n, most) = CATALOGUE[RULE], version
    cmd = ChangeRule.model_validate({
        "effective_on": effective_on.isoformat(), "severity": d.severity, "thresholds": {"days": 14},
        "audience": list(d.audience), "escalate_after_days": n, "escalate_to": list(d.escalate_to),
        "escalate_at_most": most, "reason": "督办节奏调整 / escalation pace changed"})
    await m.run(lambda uow: change_rule(uow, cmd, rule_id=RULE), on=on)


async def escalations(m: MonitoringHarness) -> list[tuple[str, int, date]]:
    rows = await m.fetch("select alert_id, payload->>'level' as level, payload->>'escalated_on' as on_ "
                         "from monitoring.alert_log where type = 'AlertEscalated' order by position")
    return sorted((r["alert_id"], int(r["level"]), date.fromisoformat(r["on_"])) for r in rows)


async def test_escalation_on_due_days_says_what_a_daily_look_at_every_alert_says(monitoring):
    m = monitoring
    village = await m.village(date(2022, 4, 1), designated=False)
    # Raised at once, before any day is closed: its business days open count from the first close.
    await m.deliver("assessment", "CollectiveIncomeReported", {
        "village_code": village, "district": village[:6], "year": 2021, "income_fen": 30_000_000, "flagged": True,
        "flag_reason": "较上年增长 300%"}, f"income-{village}", date(2022, 4, 25))
    waiting = [await request(m, village, day) for day in (date(2022, 4, 20), date(2022, 4, 22), date(2022, 5, 1),
                                                          date(2022, 5, 3))]
    await m.close_through(FIRST, date(2022, 5, 21))
    await change(m, VERSIONS[1], on=date(2022, 5, 21))  # shorter, higher: levels jump
    ids = {a["subject_id"]: a["alert_id"] for a in await m.alerts(RULE)}
    await m.run(lambda uow: acknowledge(uow, Acknowledge(note="已督办 / chased"), CITY, alert_id=ids[waiting[1]]),
                on=date(2022, 5, 22))
    await m.close_through(date(2022, 5, 22), date(2022, 5, 27))
    await change(m, VERSIONS[2], on=date(2022, 5, 27))  # no escalation
    await m.deliver("funding", *decided("DisbursementApproved", waiting[2], village), on=date(2022, 5, 28))
    await m.close_through(date(2022, 5, 28), date(2022, 6, 5))
    await change(m, VERSIONS[3], on=date(2022, 6, 5))  # again, every 4 days, a lower ceiling
    await m.close_through(date(2022, 6, 6), date(2022, 6, 15))
    await change(m, VERSIONS[4], on=date(2022, 6, 15))  # the ceiling raised: escalation goes on
    await m.close_through(date(2022, 6, 16), LAST)

    alerts = await m.alerts()
    assert sorted(a["rule_id"] for a in alerts) == [  # the approval: approved, not yet paid (from 8 June)
        "disbursement.approved_unpaid", *[RULE] * 4, "income.report_flagged"]
    seen = [Seen(a["alert_id"], a["rule_id"], a["raised_on"], a["acknowledged_on"] or a["resolved_on"])
            for a in alerts]
    expected = reference(seen)
    said = await escalations(m)
    assert said == expected
    # Not a trivial agreement: levels skipped on the day the shorter version took effect, and
    # again on the day escalation restarted after the pause.
    assert (ids[waiting[0]], 6, date(2022, 5, 24)) in said and (ids[waiting[3]], 5, date(2022, 6, 8)) in said
    assert len(said) > 20
    # The ceiling: the flagged report (every 10 days, at most 3) stops at 3 from 30 May, where
    # it would say 4, 5 and 6; the first request, at 8 when the ceiling is lowered to 5, says
    # nothing until it is raised to 10, then goes on.
    flagged_rule = "income.report_flagged"
    flagged = next(a["alert_id"] for a in alerts if a["rule_id"] == flagged_rule)
    assert [level for aid, level, _ in said if aid == flagged] == [1, 2, 3]
    first = [(level, on) for aid, level, on in said if aid == ids[waiting[0]]]
    assert not [on for _, on in first if VERSIONS[3][0] <= on < VERSIONS[4][0]]
    assert first[-1] == (10, VERSIONS[4][0])
    # At its ceiling an alert has no next escalation day: no day's close looks at it again.
    at_ceiling = {a["alert_id"] for a in alerts if (a["rule_id"], a["level"]) in {(RULE, 10), (flagged_rule, 3)}}
    next_days = {r["alert_id"]: r["escalates_on"] for r in await m.fetch(
        "select alert_id, escalates_on from monitoring.conditions where alert_id = any($1::text[])", list(at_ceiling))}
    assert {ids[waiting[0]], ids[waiting[3]], flagged} <= at_ceiling
    assert set(next_days.values()) == {date.max}

    before = await m.alert_events()
    await m.rebuild()
    assert await m.alert_events() == before
    assert await escalations(m) == expected
