"""Dynamic management (动态管理): facts undone or corrected after the forward path.

Drawn from a stage of its own, over the forward plan, so the forward plan stays as it was:
approved leave cancelled before it starts; eligibility withdrawn from a few who never got
their cover; every income report the assessment service will flag reviewed (the first
accepted, the second rejected, the rest either way); a few co-funding allocations cancelled
before anything was requested on them (their requests never made); stalled projects
cancelled once nothing more happens on them (funding returns their unreleased tranches);
and milestones that would be late re-planned before they fall due.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from scenario import calendar
from scenario.generate.money import REVERSAL
from scenario.model import (
    Allocation,
    Disbursement,
    IncomeReport,
    Leave,
    LowIncomePerson,
    Project,
    Village,
)

INCOME_JUMP_FACTOR = Decimal(3)  # the assessment service's default (XINGCUN_ASSESSMENT_INCOME_JUMP_FACTOR)
LEAVE_CANCELLED = "工作需要，取消休假 / needed at work: leave cancelled"
REVIEW = {True: "经核实收入真实，予以认可 / verified against the accounts: accepted",
          False: "收入含一次性补助，不属经营性收入，不予认可 / includes a one-off subsidy, not operating income: rejected"}
ALLOCATION_CANCELLED = "配套资金改由其他渠道解决，撤销分配 / co-funding met from elsewhere: allocation cancelled"
PROJECT_CANCELLED = "项目停滞无法推进，予以撤销 / stalled beyond recovery: project cancelled"
MILESTONE_REPLANNED = "受天气和审批影响，节点顺延 / delayed by weather and approvals: due day moved"


def _at_least_one(rng: random.Random, candidates: list, share: float) -> set[int]:
    """Indices of the chosen: each with probability ``share``, at least one if any."""
    chosen = {i for i in range(len(candidates)) if rng.random() < share}
    return chosen or ({rng.randrange(len(candidates))} if candidates else set())


def cancel_leaves(rng: random.Random, leaves: list[Leave]) -> list[Leave]:
    candidates = [i for i, lv in enumerate(leaves) if lv.approved and (lv.start - lv.decided_on).days >= 2]
    chosen = {candidates[i] for i in _at_least_one(rng, candidates, 0.05)}
    return [replace(lv, cancelled_on=lv.decided_on + timedelta(days=rng.randint(1, (lv.start - lv.decided_on).days - 1)))
            if i in chosen else lv for i, lv in enumerate(leaves)]


def withdraw_eligibility(rng: random.Random, persons: list[LowIncomePerson]) -> list[LowIncomePerson]:
    gaps = [(i, k) for i, p in enumerate(persons) for k, c in enumerate(p.covers)
            if c.covered_on is None and c.eligible_on + timedelta(days=120) <= calendar.END]
    chosen = {gaps[i] for i in _at_least_one(rng, gaps, 0.3)}
    out = []
    for i, p in enumerate(persons):
        covers = tuple(replace(c, withdrawn_on=c.eligible_on + timedelta(days=rng.randint(30, 120)))
                       if (i, k) in chosen else c for k, c in enumerate(p.covers))
        out.append(replace(p, covers=covers) if covers != p.covers else p)
    return out


def _jumps(value: int, previous: int | None) -> bool:
    """The assessment service's flag: a change beyond the factor against the standing figure."""
    return bool(previous) and previous > 0 and (value > previous * INCOME_JUMP_FACTOR or
                                                value * INCOME_JUMP_FACTOR < previous)


def review_incomes(rng: random.Random, reports: list[IncomeReport], villages: dict[str, Village]) -> list[IncomeReport]:
    """Flag as the service will (against last year's standing report, or the registry's 2020
    baseline for the first), and review each flagged report a few days after it came."""
    by_village: dict[str, list[IncomeReport]] = defaultdict(list)
    for r in reports:
        by_village[r.village_code].append(r)
    out, seen = [], 0
    for code in sorted(by_village):
        previous: int | None = villages[code].income_fen["2020"]
        for r in sorted(by_village[code], key=lambda r: r.year):
            if _jumps(r.income_fen, previous):
                accepted = True if seen == 0 else False if seen == 1 else rng.random() < 0.5
                seen += 1
                r = replace(r, flagged=True, reviewed=(r.reported_on + timedelta(days=rng.randint(3, 10)), accepted))
            out.append(r)
            # A rejected report stands for nothing, and the next year is then compared with nothing.
            previous = None if r.reviewed and not r.reviewed[1] else r.income_fen
    order = {(r.village_code, r.year): i for i, r in enumerate(reports)}
    return sorted(out, key=lambda r: order[(r.village_code, r.year)])


def reverse_a_payment(rng: random.Random, disbursements: list[Disbursement], spare: frozenset[str] = frozenset()
                      ) -> list[Disbursement]:
    """At least one payment reversed (the forward plan reverses about 1 in 100, so a small
    programme may have none): the last paid tranche of some allocation, returned and paid again."""
    if any(d.reversed_on for d in disbursements):
        return disbursements
    last = {(d.allocation_id, d.tranche_no): d for d in sorted(disbursements, key=lambda d: d.requested_on)}
    candidates = sorted((d for d in last.values() if d.paid_on and d.paid_on + timedelta(days=80) <= calendar.END
                         and d.village_code not in spare),
                        key=lambda d: d.disbursement_id)
    if not candidates:
        return disbursements
    d = rng.choice(candidates)
    back = d.paid_on + timedelta(days=rng.randint(5, 30))
    again = back + timedelta(days=rng.randint(3, 10))
    approved = again + timedelta(days=rng.randint(1, 6))
    paid = approved + timedelta(days=rng.randint(1, 5))
    redo = replace(d, disbursement_id=f"{d.disbursement_id}-r", requested_on=again, approved_on=approved, paid_on=paid,
                   voucher_no=f"PZ{paid:%Y%m%d}-{d.disbursement_id.removeprefix('tj-d')}R")
    return [replace(d, reversed_on=back, reverse_reason=REVERSAL) if x is d else x for x in disbursements] + [redo]


def cancel_allocations(rng: random.Random, allocs: list[Allocation], disbursements: list[Disbursement],
                       spare: frozenset[str] = frozenset()) -> tuple[list[Allocation], list[Disbursement]]:
    """Co-funding allocations (one tranche, payable at once) cancelled the day after they were
    made: nothing was requested on them, so nothing of them is paid."""
    co_funding = [i for i, a in enumerate(allocs) if len(a.tranches) == 1 and a.tranches[0].milestone_id is None
                  and a.village_code not in spare]
    chosen = {co_funding[i] for i in _at_least_one(rng, co_funding, 0.1)}
    out = [replace(a, cancelled_on=a.allocated_on + timedelta(days=1)) if i in chosen else a
           for i, a in enumerate(allocs)]
    gone = {allocs[i].allocation_id for i in chosen}
    return out, [d for d in disbursements if d.allocation_id not in gone]


def _last_activity(p: Project, allocs: list[Allocation], requests: dict[str, list[Disbursement]]) -> date:
    days = [p.planned_start, *(a.allocated_on for a in allocs)]
    for m in p.milestones:
        days += [m.due_on, *m.reports, *m.returned, *([m.verified_on] if m.verified_on else [])]
    for a in allocs:
        for d in requests.get(a.allocation_id, ()):
            days += [x for x in (d.requested_on, d.approved_on, d.rejected_on, d.paid_on, d.reversed_on) if x]
    return max(days)


def cancel_projects(rng: random.Random, projects: list[Project], allocs: list[Allocation],
                    disbursements: list[Disbursement], spare: frozenset[str] = frozenset()) -> list[Project]:
    """A project whose next milestone was never reported is cancelled a month after the last
    thing that happened on it (its paid tranches stay paid)."""
    of_project: dict[str | None, list[Allocation]] = defaultdict(list)
    for a in allocs:
        of_project[a.project_id].append(a)
    requests: dict[str, list[Disbursement]] = defaultdict(list)
    for d in disbursements:
        requests[d.allocation_id].append(d)
    out = []
    for p in projects:
        open_ = [m for m in p.milestones if m.verified_on is None]
        if p.village_code not in spare and open_ and not any(m.reports for m in open_) and rng.random() < 0.5:
            on = _last_activity(p, of_project[p.project_id], requests) + timedelta(days=30)
            if on < calendar.END:
                p = replace(p, cancelled_on=on)
        out.append(p)
    return out


def replan_milestones(rng: random.Random, projects: list[Project], spare: frozenset[str] = frozenset()
                      ) -> list[Project]:
    """A milestone (not the last: the last is due when the project ends) first reported after
    its due day is, now and then, re-planned shortly before that day to when it was reported."""
    out = []
    for p in projects:
        milestones = list(p.milestones)
        for i, m in enumerate(milestones[:-1]):
            if p.cancelled_on is None and p.village_code not in spare and m.reports and m.reports[0] > m.due_on \
                    and rng.random() < 0.3:
                on = max(m.due_on - timedelta(days=rng.randint(5, 15)), p.planned_on)
                milestones[i] = replace(m, replanned=(on, min(m.reports[0], p.planned_end)))
        out.append(replace(p, milestones=tuple(milestones)) if milestones != list(p.milestones) else p)
    return out

