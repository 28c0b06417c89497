"""What the statistics must say, as of a day, derived from the plan alone.

Each metric of publicity's catalogue (``/stats/metrics``) is a set of rows — one per thing
counted, with its district, village, breakdowns and value — summed over the rows that
match a filter and grouped by a breakdown. Here the same rows are built from what the
scenario did (with the business dates its commands carried), so a figure and its
expectation are computed the same way and compared exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from shared.reference.tasks import INCOME_TARGET_FEN

from scenario.model import Scenario
from scenario.recording import (
    DAILY_ALLOWANCE_FEN,
    allowance_month,
    allowance_recorded_on,
    insurance_recorded_on,
    presence_sheets,
)


@dataclass(frozen=True)
class Row:
    district: str | None
    village: str | None
    dims: dict[str, str]
    value: int


Rows = Callable[[Scenario, date], Iterator[Row]]
METRICS: dict[str, Rows] = {}
FEN = {"farmer_income", "appropriated", "allocated", "allocations_frozen", "disbursed", "awaiting_approval", "approved_unpaid", "allowances"}


def metric(name: str):
    def register(fn: Rows) -> Rows:
        METRICS[name] = fn
        return fn
    return register


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _designated(s: Scenario, d: date) -> frozenset[str]:
    return s.designated_on(d)


@metric("villages_registered")
def _villages(s: Scenario, d: date) -> Iterator[Row]:
    for v in s.villages:
        if v.registered_on <= d:
            yield Row(v.district, v.code, {"village_type": v.village_type}, 1)


@metric("villages_designated")
def _weak(s: Scenario, d: date) -> Iterator[Row]:
    first = set(s.screening.designated)
    for code in _designated(s, d):
        run = s.screening if code in first else s.rescreening
        yield Row(s.village(code).district, code, {"run_id": run.run_id}, 1)


def _with_team(s: Scenario, d: date, wanted: bool) -> Iterator[Row]:
    assigned = {a.village_code for a in s.assignments if a.active_on(d)}
    for code in _designated(s, d):
        if (code in assigned) == wanted:
            yield Row(s.village(code).district, code, {}, 1)


METRICS["weak_with_team"] = lambda s, d: _with_team(s, d, True)
METRICS["weak_without_team"] = lambda s, d: _with_team(s, d, False)


def _up_to_3(n: int) -> str:
    """A count as the statistics bucket it: 0, 1, 2 or 3+."""
    return "3+" if n >= 3 else str(n)


@metric("teams")
def _teams(s: Scenario, d: date) -> Iterator[Row]:
    served = defaultdict(int)
    for a in s.assignments:
        if a.active_on(d):
            served[a.team_id] += 1
    for t in s.teams:
        if s.exists_on(t, d):
            yield Row(t.district, None, {"villages": _up_to_3(served[t.team_id]), "lead_unit_id": t.lead_unit_id}, 1)


@metric("units")
def _units(s: Scenario, d: date) -> Iterator[Row]:
    teams = defaultdict(int)
    for t in s.teams:
        if s.exists_on(t, d):
            for u in (t.lead_unit_id, *t.partner_unit_ids):
                teams[u] += 1
    for u in s.units:
        if u.registered_on <= d:
            yield Row(u.district, None, {"teams": _up_to_3(teams[u.unit_id]), "level": u.level}, 1)


@metric("first_secretaries")
def _secretaries(s: Scenario, d: date) -> Iterator[Row]:
    trained = {t.cadre_id for t in s.trainings if t.centralised and t.completed_on <= d}
    for t in s.teams:
        if s.exists_on(t, d):
            yield Row(t.district, None, {"trained": _yes(s.secretary_on(t, d) in trained)}, 1)


@metric("income_reports")
def _incomes(s: Scenario, d: date) -> Iterator[Row]:
    """Reports standing as of the day: a rejected one counts as none; flagged until reviewed."""
    weak = _designated(s, d)
    for r in s.incomes:
        if r.stands_on(d):
            yield Row(r.district, r.village_code, {"year": str(r.year), "at_target": _yes(r.income_fen >= INCOME_TARGET_FEN),
                                                   "weak": _yes(r.village_code in weak),
                                                   "flagged": _yes(r.flagged_on(d))}, 1)


@metric("farmer_income")
def _farmers(s: Scenario, d: date) -> Iterator[Row]:
    weak = _designated(s, d)
    for f in s.farmer_incomes:
        if f.reported_on <= d:
            yield Row(f.district, f.village_code, {"year": str(f.year), "weak": _yes(f.village_code in weak)},
                      f.per_capita_fen)


@metric("appropriated")
def _appropriated(s: Scenario, d: date) -> Iterator[Row]:
    for ln in s.lines:
        if ln.appropriated_on <= d:
            yield Row(None if ln.scope == "city" else ln.scope, None,
                      {"source": ln.source, "year": str(ln.fiscal_year)}, ln.amount_fen)


@metric("allocated")
def _allocated(s: Scenario, d: date) -> Iterator[Row]:
    for a in s.allocations:
        if a.allocated_on <= d:
            yield Row(a.district, a.village_code, {"source": a.source, "year": str(a.fiscal_year),
                                                   "task": str(a.task_no), "project": a.project_id},
                      s.allocated_on(a, d))


@metric("allocations_frozen")
def _frozen(s: Scenario, d: date) -> Iterator[Row]:
    for a in s.allocations:
        if (unspent := s.frozen_on(a, d)) is not None:
            yield Row(a.district, a.village_code, {"source": a.source, "year": str(a.fiscal_year)}, unspent)


@metric("villages_graduated")
def _graduated(s: Scenario, d: date) -> Iterator[Row]:
    for g in s.graduations:
        if g.on <= d:
            yield Row(g.district, g.village_code, {"year": str(g.year)}, 1)


def _disbursements(s: Scenario, d: date, status: str) -> Iterator[Row]:
    years = {a.allocation_id: a for a in s.allocations}
    for x in s.disbursements:
        if x.state_on(d) == status:
            a = years[x.allocation_id]
            yield Row(x.district, x.village_code, {"source": x.source, "year": str(a.fiscal_year),
                                                   "task": str(a.task_no), "status": status}, x.amount_fen)


METRICS["disbursed"] = lambda s, d: _disbursements(s, d, "paid")
METRICS["awaiting_approval"] = lambda s, d: _disbursements(s, d, "requested")
METRICS["approved_unpaid"] = lambda s, d: _disbursements(s, d, "approved")


@metric("projects")
def _projects(s: Scenario, d: date) -> Iterator[Row]:
    for p in s.projects:
        if p.planned_on <= d and not p.cancelled_by(d):
            done = p.completed_on is not None and p.completed_on <= d
            status = "done" if done else "in_progress" if p.planned_start <= d else "planned"
            yield Row(p.district, p.village_code, {"action": p.action_code, "task": str(p.task_no), "status": status}, 1)


@metric("projects_cancelled")
def _cancelled(s: Scenario, d: date) -> Iterator[Row]:
    for p in s.projects:
        if p.cancelled_by(d):
            yield Row(p.district, p.village_code, {"action": p.action_code, "task": str(p.task_no)}, 1)


@metric("milestones_overdue")
def _overdue(s: Scenario, d: date) -> Iterator[Row]:
    for p in s.projects:
        if p.planned_on > d or (p.completed_on is not None and p.completed_on <= d) or p.cancelled_by(d):
            continue
        for m in p.milestones:
            if m.due_as_of(d) < d and (m.verified_on is None or m.verified_on > d):
                yield Row(p.district, p.village_code, {"action": p.action_code, "task": str(p.task_no)}, 1)


@metric("low_income_eligible")
def _covers(s: Scenario, d: date) -> Iterator[Row]:
    for p in s.persons:
        for c in p.covers:
            if c.eligible_by(d):
                covered = c.covered_on is not None and c.covered_on <= d
                yield Row(p.district, p.village_code, {"cover": c.cover, "covered": _yes(covered)}, 1)


@metric("cadres_stationed")
def _stationed(s: Scenario, d: date) -> Iterator[Row]:
    insured = {i.cadre_id for i in s.insurances if insurance_recorded_on(i) <= d and i.valid_from <= d <= i.valid_to}
    for t in s.teams:
        if t.formed_on <= d:
            for m in s.members_on(t, d):
                yield Row(t.district, None, {"insured": _yes(m in insured)}, 1)


_SHEETS: dict[int, tuple[Scenario, list]] = {}


def _sheets(s: Scenario) -> list:
    if (known := _SHEETS.get(id(s))) is None or known[0] is not s:
        _SHEETS[id(s)] = known = (s, presence_sheets(s))
    return known[1]


@metric("presence_days")
def _presence(s: Scenario, d: date) -> Iterator[Row]:
    for _, _, _, entries, recorded in _sheets(s):
        if recorded <= d:
            for c in entries:
                if c.day <= d:
                    yield Row(s.village(c.village_code).district, c.village_code, {"month": allowance_month(c.day)}, 1)


@metric("leave_days")
def _leave(s: Scenario, d: date) -> Iterator[Row]:
    for lv in s.leaves:
        if lv.counts_on(d):
            yield Row(s.team_of_cadre[lv.cadre_id].district, None, {"year": str(lv.start.year)}, lv.days)


@metric("allowances")
def _allowances(s: Scenario, d: date) -> Iterator[Row]:
    days = defaultdict(int)
    for c in s.check_ins:
        days[(c.cadre_id, allowance_month(c.day))] += 1
    for (cadre_id, month), n in sorted(days.items()):
        if allowance_recorded_on(month) <= d:
            yield Row(s.team_of_cadre[cadre_id].district, None, {"month": month}, n * DAILY_ALLOWANCE_FEN)


@metric("assessment_grades")
def _assessed(s: Scenario, d: date) -> Iterator[Row]:
    """Teams only: which units and districts an assessment scores is the assessment service's rule."""
    for a in s.assessments:
        if a.published_on <= d:
            for t in s.teams:
                yield Row(None, None, {"year": str(a.year), "subject_kind": "team"}, 1)


def figure(s: Scenario, name: str, d: date, by: str | None, dims: dict[str, str]) -> dict[str | None, int]:
    """``{group: value}`` (or ``{None: total}`` without ``by``), zero groups left out."""
    out: dict[str | None, int] = defaultdict(int)
    for r in METRICS[name](s, d):
        if all(r.dims.get(k) == v for k, v in dims.items()):
            key = None if by is None else r.district if by == "district" else r.village if by == "village" else r.dims.get(by)
            out[key] += r.value
    return {k: v for k, v in out.items() if v}
