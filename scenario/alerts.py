"""预警与计划 / the alerts the plan implies: monitoring's business days driven through the
programme's calendar, and the alerts raised and resolved compared with a reference computed
from the plan alone (never from monitoring's tables).

The plan has its alert-worthy situations already: approvals that wait, payments that lag,
allocations nobody draws on, milestones verified late or never, findings rectified after
their deadline, eligible persons covered late or never, designated villages waiting for
their team, cadres below the month's presence. For each rule below, an episode opens and
clears on the plan's dates (the business days the driver sends), and a time-based rule
raises on the first closed day more than its threshold after the episode began — if it
still held at that day's end — and resolves on the clearing day (README of monitoring,
"How an alert comes about"). Version 1 thresholds, except the presence requirement, which
the city office sets to the scenario's sample of check-ins a month before any day closes.

The days are closed after every fact is in and monitoring has applied it: the rules hold
whatever the order (what matters is each fact's business day), so closing late says the
same as closing daily. Rules whose trigger the plan does not fix (an income report flagged
by assessment's own checks, a drop against last year, the quarterly spend plan) are listed
as not compared, never as passed.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from scenario import calendar
from scenario.drive import people
from scenario.drive.client import Api
from scenario.drive.patience import Patience, while_progressing
from scenario.drive.stage import Stage
from scenario.model import Scenario

STAGE = "monitoring.days"
FIRST_DAY = calendar.REGISTRATION
# rule → the days of version 1's threshold ("more than N days").
DAYS = {"disbursement.awaiting_approval": 14, "disbursement.approved_unpaid": 10, "allocation.idle": 90,
        "milestone.overdue": 0, "rectification.overdue": 0, "person.eligible_not_covered": 30,
        "village.without_team": 30}
COMPARED = (*DAYS, "cadre.presence_below_requirement")
NOT_COMPARED = ("income.report_flagged", "income.drop", "village.below_target_final_year",
                "district.spend_behind_plan")


@dataclass(frozen=True)
class Episode:
    raised_on: date
    resolved_on: date | None


Expected = dict[tuple[str, str], list[Episode]]  # (rule, subject) → its alerts, one per episode, in order


def _timed(out: Expected, rule: str, subject: str, opened_on: date, since: date, cleared_on: date | None,
           last: date) -> None:
    """A time-based episode: raised on the first day after ``since`` + N, no sooner than the
    opening fact, if it still held at that day's end and the day was closed."""
    due = max(since + timedelta(days=DAYS[rule] + 1), opened_on)
    if due <= last and (cleared_on is None or cleared_on > due):
        out.setdefault((rule, subject), []).append(Episode(due, cleared_on))


def _month_ends(first: date, last: date) -> list[tuple[date, date]]:
    out = []
    for year, month in calendar.months(first, last):
        start = date(year, month, 1)
        end = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
        if end <= last:
            out.append((start, end))
    return out


def _presence(s: Scenario, out: Expected, last: date) -> None:
    """Every member of a team that entered a village before the month, a member still at the
    end of its last day (not removed, the team not dissolved by then): fewer days checked in
    than the month's requirement (the sample a month, never more than its days, less the
    approved leave that still counted then — a leave cancelled before its start counts no more)."""
    entered: dict[str, date] = {}
    for a in s.assignments:
        entered[a.team_id] = min(entered.get(a.team_id, a.entered_on), a.entered_on)
    seen: dict[tuple[str, date], set[date]] = defaultdict(set)
    for c in s.check_ins:
        seen[(c.cadre_id, c.day.replace(day=1))].add(c.day)
    leaves: dict[str, list] = defaultdict(list)
    for lv in s.leaves:
        leaves[lv.cadre_id].append(lv)
    for team in s.teams:
        since = entered.get(team.team_id)
        if since is None:
            continue
        for first, end in _month_ends(since, last):
            if since >= first:
                continue
            for cadre_id in s.members_on(team, end):
                away = sum(max(0, (min(lv.end, end) - max(lv.start, first)).days + 1)
                           for lv in leaves[cadre_id] if lv.counts_on(end))
                required = max(0, min(s.size.presence_days_per_month, (end - first).days + 1) - away)
                if len(seen[(cadre_id, first)]) < required:
                    out[("cadre.presence_below_requirement", f"{cadre_id}:{first:%Y-%m}")] = [Episode(end, None)]


def _without_team(s: Scenario, out: Expected, last: date) -> None:
    """A village designated (the run in force, less the graduated) and served by no team
    (no assignment active): an episode from the day that became true to the day it stopped
    (a team assigned or rotated in, the designation revoked)."""
    served: dict[str, list] = defaultdict(list)
    for a in s.assignments:
        served[a.village_code].append(a)
    runs = [s.screening, *([s.rescreening] if s.rescreening else [])]
    codes = sorted({c for run in runs for c in run.designated})
    for code in codes:
        days = sorted({d for d in (*(run.on for run in runs), *(g.on for g in s.graduations if g.village_code == code),
                                   *(a.assigned_on for a in served[code]),
                                   *(a.left_on for a in served[code] if a.left_on)) if d <= last})
        began = None
        for day in days:
            held = code in s.designated_on(day) and not any(a.active_on(day) for a in served[code])
            if held and began is None:
                began = day
            elif not held and began is not None:
                _timed(out, "village.without_team", code, began, began, day, last)
                began = None
        if began is not None:
            _timed(out, "village.without_team", code, began, began, None, last)


def _milestones(s: Scenario, out: Expected, last: date) -> None:
    """Overdue the day after its due day, until verified or its project cancelled; a milestone
    re-planned ends that episode and opens one against the new due day, from the re-planning."""
    for p in s.projects:
        for m in p.milestones:
            subject = f"{p.project_id}:{m.milestone_id}"
            settled = _first(m.verified_on, p.cancelled_on)
            if m.replanned:
                on, due = m.replanned
                _timed(out, "milestone.overdue", subject, p.planned_on, m.due_on, _first(on, settled), last)
                _timed(out, "milestone.overdue", subject, on, due, settled, last)
            else:
                _timed(out, "milestone.overdue", subject, p.planned_on, m.due_on, settled, last)


def _first(*days: date | None) -> date | None:
    return min((d for d in days if d), default=None)


def expected_alerts(s: Scenario, last: date | None = None) -> Expected:
    """The alerts of ``COMPARED`` the plan implies once every day through ``last`` is closed."""
    last = last or s.end
    out: Expected = {}
    first_request: dict[str, date] = {}
    for d in s.disbursements:
        first_request[d.allocation_id] = min(first_request.get(d.allocation_id, d.requested_on), d.requested_on)
        decided = _first(d.approved_on, d.rejected_on, d.reversed_on)
        _timed(out, "disbursement.awaiting_approval", d.disbursement_id, d.requested_on, d.requested_on, decided, last)
        if d.approved_on:
            settled = _first(d.paid_on, d.reversed_on)
            _timed(out, "disbursement.approved_unpaid", d.disbursement_id, d.approved_on, d.approved_on, settled, last)
    for a in s.allocations:
        # Idle until something is requested on it, it is cancelled, or its village graduates (frozen).
        g = s.graduation_of.get(a.village_code)
        frozen = g.on if g is not None and s.frozen_on(a, g.on) is not None else None
        _timed(out, "allocation.idle", a.allocation_id, a.allocated_on, a.allocated_on,
               _first(first_request.get(a.allocation_id), a.cancelled_on, frozen), last)
    _milestones(s, out, last)
    for i in s.inspections:
        for f in i.findings:
            _timed(out, "rectification.overdue", f"{i.inspection_id}:{f.finding_id}", i.inspected_on, f.deadline,
                   f.rectified_on, last)
    for person in s.persons:
        for c in person.covers:
            _timed(out, "person.eligible_not_covered", f"{person.person_id}:{c.cover}", c.eligible_on, c.eligible_on,
                   _first(c.covered_on, c.withdrawn_on), last)
    _without_team(s, out, last)
    _presence(s, out, last)
    return out


# -- driving the days ----------------------------------------------------------------------

LAG = re.compile(r"^xingcun_projection_lag_events\{[^}]*\} ([0-9.e+]+|NaN)$", re.M)
CATCHING_UP = ("监测读完事实", "monitoring to read every fact")


async def caught_up(api: Api, patience: Patience | None = None) -> bool:
    """Until monitoring's projections have applied every topic they read (its ``/metrics``),
    for as long as their lag keeps shrinking; False when ``patience`` ran out first."""
    patience = patience or Patience(*CATCHING_UP)

    async def lag() -> float | None:
        r = await api._send("GET", api.urls["monitoring"] + "/metrics", headers={})  # noqa: SLF001 - plain text, not JSON
        lags = LAG.findall(r.text) if r.status_code == 200 else []
        return sum(map(float, lags)) if lags and "NaN" not in lags else None  # None: not known yet

    return await while_progressing(lag, patience)


def days_stage(s: Scenario, api: Api) -> Stage:
    """The city office sets the presence requirement to the scenario's sample, then closes
    every business day of the programme in order (one command), once monitoring has applied
    every fact."""
    city = people.city(api)

    async def chain() -> None:
        current = await api.get("monitoring", "/rules/cadre.presence_below_requirement", who=city)
        await api.command(STAGE, "monitoring", "/rules/cadre.presence_below_requirement", {
            "effective_on": FIRST_DAY.isoformat(), "enabled": True, "severity": current["severity"],
            "thresholds": {"days_per_month": s.size.presence_days_per_month},
            "audience": current["audience"], "escalate_after_days": current["escalate_after_days"],
            "escalate_to": current["escalate_to"], "escalate_at_most": current["escalate_at_most"],
            "reason": "情景按抽样打卡天数核对 / the scenario samples this many check-ins a month"},
            who=city, key=api.key("presence-rule", s.size.presence_days_per_month), method="PUT")
        # A day judged before monitoring has read that day's facts raises what they would have
        # cleared (an allocation idle though drawn on, its request still on its way): no close
        # then, and the stage says so, rather than alerts the plan never implied.
        patience = Patience(*CATCHING_UP)
        if not await caught_up(api, patience):
            zh, en = patience.why()
            api.fail(STAGE, "close-through", 0, f"监测未读完事实（{zh}），未结束业务日 / monitoring had not read "
                      f"every fact ({en}): no business day closed")
            return
        await api.command(STAGE, "monitoring", "/days/close-through",
                          {"through": s.end.isoformat(), "first": FIRST_DAY.isoformat()}, who=city,
                          key=api.key("close-through", s.end))

    return Stage(STAGE, "监测：结束业务日 / monitoring: closing the business days", [chain], 2)


# -- comparing ---------------------------------------------------------------------------

async def served_alerts(api: Api) -> dict[tuple[str, str], list[Episode]]:
    """Every alert monitoring holds, by (rule, subject), as the city office sees them."""
    city, out, before = people.city(api), defaultdict(list), None
    while True:
        page = await api.get("monitoring", "/alerts", {"limit": 500, **({"before": before} if before else {})},
                             who=city)
        for a in page["items"]:
            resolved = date.fromisoformat(a["resolved_on"]) if a["resolved_on"] else None
            out[(a["rule_id"], a["subject_id"])].append(Episode(date.fromisoformat(a["raised_on"]), resolved))
        before = page["next_before"]
        if not before or not page["items"]:
            return out


@dataclass(frozen=True)
class AlertDifference:
    rule: str
    subject: str
    expected: tuple[Episode, ...]
    served: tuple[Episode, ...]


def compare(expected: Expected, served: dict[tuple[str, str], list[Episode]]) -> list[AlertDifference]:
    """Each alert of a compared rule that monitoring raised or resolved otherwise than the plan implies."""
    out = []
    for key in sorted(set(expected) | {k for k in served if k[0] in COMPARED}):
        want, got = tuple(expected.get(key, ())), tuple(sorted(served.get(key, ()), key=lambda e: e.raised_on))
        if got != want:
            out.append(AlertDifference(key[0], key[1], want, got))
    return out


def counts(alerts: dict[tuple[str, str], list[Episode]]) -> dict[str, tuple[int, int]]:
    """Per compared rule: alerts raised, and of them resolved."""
    out: dict[str, tuple[int, int]] = {}
    for (rule, _), episodes in alerts.items():
        if rule in COMPARED:
            raised, resolved = out.get(rule, (0, 0))
            out[rule] = (raised + len(episodes), resolved + sum(e.resolved_on is not None for e in episodes))
    return out


class NotCaughtUp(RuntimeError):
    """Monitoring had not applied every fact when the check's patience ran out: its alerts,
    compared then, would be a half-read log's, so they are not compared."""


async def check(s: Scenario, api: Api, patience: Patience | None = None,
                ) -> tuple[int, list[AlertDifference], dict[str, tuple[int, int]]]:
    """Once monitoring has applied the closes: how many rules were compared, the alerts that
    differ from the plan's, and the served counts (raised, resolved) per compared rule."""
    patience = patience or Patience(*CATCHING_UP)
    if not await caught_up(api, patience):
        zh, en = patience.why()
        raise NotCaughtUp(f"监测未读完事实（{zh}），预警未核对 / monitoring had not read every fact ({en}): "
                          "alerts not compared")
    served = await served_alerts(api)
    return len(COMPARED), compare(expected_alerts(s), served), counts(served)
