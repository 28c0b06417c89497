"""Scoring a year: the facts of each village and team as of a day → each subject's scores.

Pure and deterministic: the same facts and rubric always give the same results, which
is what makes a re-run reproducible (the facts themselves are fixed by the cut-off, see
``adapters.facts``). Every dimension is a fraction — achieved over expected — summed over
the subject's villages and teams, shown as a score out of 100. A dimension with nothing
expected (no milestone due, nobody eligible, no money allocated…) does not count, and the
other weights are scaled up; the basis says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from shared.contracts.assessment import AssessmentScore, RubricDefined

from services.assessment.domain.incomes import growth_pct, reached_target
from services.assessment.domain.rubric import grade, param

CENT = Decimal("0.01")
SUBJECT_ORDER = {"team": 0, "unit": 1, "district": 2}
Dated = tuple[date, date | None]  # (due or deadline, done on)


@dataclass(frozen=True)
class VillageYear:
    code: str
    district: str
    collective_fen: int | None = None
    farmer_fen: int | None = None
    farmer_prev_fen: int | None = None
    milestones: tuple[Dated, ...] = ()  # due within the period
    allocated_fen: int = 0  # allocations of the fiscal year
    paid_fen: int = 0  # paid for them within the year (net of reversals)
    eligible: int = 0  # person-covers eligible as of the day
    covered: int = 0  # … and covered
    findings: tuple[Dated, ...] = ()  # deadlines within the period


@dataclass(frozen=True)
class TeamYear:
    team_id: str
    lead_unit_id: str
    district: str | None
    villages: tuple[str, ...]
    members: int
    active_days: int  # days of the period the team existed
    presence_days: int
    findings: tuple[Dated, ...] = ()


@dataclass(frozen=True)
class YearFacts:
    year: int
    as_of: date
    city_growth_pct: Decimal | None
    villages: Mapping[str, VillageYear]
    teams: Mapping[str, TeamYear]
    designated: Mapping[str, tuple[str, ...]]  # district → its designated villages
    marks: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)  # (kind, id) → mean mark

    @property
    def days_in_year(self) -> int:
        return (date(self.year + 1, 1, 1) - date(self.year, 1, 1)).days


@dataclass
class Part:
    achieved: Fraction = Fraction(0)
    expected: Fraction = Fraction(0)

    def add(self, achieved, expected) -> None:
        self.achieved += Fraction(achieved)
        self.expected += Fraction(expected)

    @property
    def score(self) -> Decimal | None:
        if self.expected == 0:
            return None
        ratio = min(self.achieved / self.expected, Fraction(1))
        return _decimal(ratio * 100)

    @property
    def basis(self) -> str:
        if self.expected == 0:
            return "不适用（无应完成项）/ not applicable: nothing expected"
        return f"{_decimal(self.achieved)}/{_decimal(self.expected)}"


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, ROUND_HALF_UP)


def _dated(part: Part, items: Iterable[Dated], late_credit: Fraction) -> None:
    for due, done in items:
        part.add(1 if done is not None and done <= due else late_credit if done is not None else 0, 1)


def parts(facts: YearFacts, rubric: RubricDefined, villages: list[VillageYear], teams: list[TeamYear],
          mark: Decimal | None) -> dict[str, Part]:
    late = Fraction(param(rubric, "late_credit"))
    days_expected = Fraction(param(rubric, "presence_days_per_year"))
    out = {d.code: Part() for d in rubric.dimensions}
    every = {code: out.get(code, Part()) for code in (
        "income_target", "income_growth", "task_progress", "disbursement", "coverage", "presence", "inspections",
        "assessor_marks")}
    for v in villages:
        every["income_target"].add(reached_target(v.collective_fen), 1)
        if facts.city_growth_pct is not None and v.farmer_fen is not None and v.farmer_prev_fen:
            every["income_growth"].add(growth_pct(v.farmer_fen, v.farmer_prev_fen) > facts.city_growth_pct, 1)
        _dated(every["task_progress"], v.milestones, late)
        every["disbursement"].add(min(v.paid_fen, v.allocated_fen), v.allocated_fen)
        every["coverage"].add(v.covered, v.eligible)
        _dated(every["inspections"], v.findings, late)
    for t in teams:
        every["presence"].add(t.presence_days, t.members * days_expected * t.active_days / facts.days_in_year)
        _dated(every["inspections"], t.findings, late)
    if mark is not None:
        every["assessor_marks"].add(Fraction(mark), 100)
    return out


def subjects(facts: YearFacts) -> list[tuple[str, str, list[VillageYear], list[TeamYear]]]:
    """Teams (their villages), units (their teams as lead unit) and districts (their villages
    and the teams serving them)."""
    teams = sorted(facts.teams.values(), key=lambda t: t.team_id)

    def villages_of(codes: Iterable[str]) -> list[VillageYear]:
        return [facts.villages[c] for c in sorted(set(codes)) if c in facts.villages]

    found = [("team", t.team_id, villages_of(t.villages), [t]) for t in teams]
    for unit in sorted({t.lead_unit_id for t in teams}):
        led = [t for t in teams if t.lead_unit_id == unit]
        found.append(("unit", unit, villages_of(c for t in led for c in t.villages), led))
    districts = set(facts.designated) | {t.district for t in teams if t.district}
    for district in sorted(districts):
        served = [t for t in teams if t.district == district
                  or any(facts.villages[c].district == district for c in t.villages if c in facts.villages)]
        codes = [*facts.designated.get(district, ()),
                 *(c for t in served for c in t.villages if c in facts.villages and facts.villages[c].district == district)]
        found.append(("district", district, villages_of(codes), served))
    return found


def score_year(facts: YearFacts, rubric: RubricDefined) -> list[AssessmentScore]:
    weights = {d.code: d.weight for d in rubric.dimensions}
    results = []
    for kind, subject_id, villages, teams in subjects(facts):
        found = parts(facts, rubric, villages, teams, facts.marks.get((kind, subject_id)))
        scores = {code: s for code, part in found.items() if (s := part.score) is not None}
        weight = sum((weights[c] for c in scores), Decimal(0))
        total = (sum((weights[c] * s for c, s in scores.items()), Decimal(0)) / weight).quantize(CENT, ROUND_HALF_UP) \
            if weight else Decimal("0.00")
        results.append(AssessmentScore(
            subject_kind=kind, subject_id=subject_id, scores=scores, total=total,
            grade=grade(total, rubric.grade_cutoffs),
            basis={code: part.basis for code, part in found.items()},
        ))
    return sorted(results, key=lambda r: (SUBJECT_ORDER[r.subject_kind], r.subject_id))
