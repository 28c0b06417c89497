"""Each assessed subject's score and grade, derived from the plan alone.

The facts of a year — who served where, presence, milestones, money, incomes, coverage,
findings, marks — are gathered here from what the scenario did (with the business dates
its commands carried), the way the assessment service must gather them from the events;
the rubric's arithmetic (``score_year``, a pure function of the facts) is the rule being
applied, so a difference points at the facts the service gathered, not at the formula.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from shared.contracts.assessment import AssessmentScore, RubricDefined, RubricDimension

from services.assessment.domain.rubric import DIMENSIONS
from services.assessment.domain.scoring import TeamYear, VillageYear, YearFacts, score_year

from scenario.model import AnnualAssessment, Scenario

CUTOFFS = {"优秀": Decimal(90), "良好": Decimal(80), "一般": Decimal(60)}  # the rubric's defaults, not overridden


def rubric(a: AnnualAssessment) -> RubricDefined:
    return RubricDefined(year=a.year, grade_cutoffs=CUTOFFS,
                         dimensions=[RubricDimension(code=c, name_zh=DIMENSIONS[c][0], name_en=DIMENSIONS[c][1],
                                                     weight=Decimal(w)) for c, w in a.weights.items()],
                         params={"presence_days_per_year": Decimal(a.presence_days_per_year)})


def year_facts(s: Scenario, a: AnnualAssessment) -> YearFacts:
    year, as_of = a.year, a.as_of
    start, end = date(year, 1, 1), min(as_of, date(year, 12, 31))
    designated = sorted(s.designated_on(as_of))
    by_district: dict[str, list[str]] = defaultdict(list)
    for code in designated:
        by_district[s.village(code).district].append(code)

    served: dict[str, set[str]] = defaultdict(set)
    for x in s.assignments:  # served at any time of the year
        if x.assigned_on <= end and not (x.left_on and x.left_on < start):
            served[x.team_id].add(x.village_code)
    presence: dict[str, set] = defaultdict(set)
    for c in s.check_ins:
        if start <= c.day <= end:
            presence[c.team_id].add((c.cadre_id, c.day))
    findings: dict[tuple[str, str], list] = defaultdict(list)
    for i in sorted(s.inspections, key=lambda i: i.inspection_id):
        if i.inspected_on <= as_of:
            for f in i.findings:
                if start <= f.deadline <= end:
                    done = f.accepted_on if f.accepted_on and f.accepted_on <= as_of else None
                    findings[(i.target_kind, i.target_id)].append((f.deadline, done))

    teams = {}
    for t in s.teams:
        # A dissolved team's year ends the day before its dissolution (assessment's load_year).
        until = min([end, *(c.on - timedelta(days=1) for c in s.team_changes
                            if c.dissolved and c.team_id == t.team_id and c.on <= as_of)])
        if t.formed_on <= end and until >= start:
            teams[t.team_id] = TeamYear(
                team_id=t.team_id, lead_unit_id=t.lead_unit_id, district=t.district,
                villages=tuple(sorted(served[t.team_id])), members=len(s.members_on(t, until)),
                active_days=max((until - max(t.formed_on, start)).days + 1, 0),
                presence_days=len(presence[t.team_id]), findings=tuple(findings[("team", t.team_id)]))
    scope = sorted({c for t in teams.values() for c in t.villages} | set(designated))

    incomes = {(r.village_code, r.year): r.income_fen for r in s.incomes if r.stands_on(as_of)}
    farmers = {(f.village_code, f.year): f.per_capita_fen for f in s.farmer_incomes if f.reported_on <= as_of}
    milestones: dict[str, list] = defaultdict(list)
    for p in sorted(s.projects, key=lambda p: p.project_id):
        if p.planned_on <= as_of:
            for m in p.milestones:
                if p.cancelled_by(as_of) and m.verified_on is None:
                    continue  # cancelled with its project: no longer expected
                if start <= (due := m.due_as_of(as_of)) <= end:
                    verified = m.verified_on if m.verified_on and m.verified_on <= as_of else None
                    milestones[p.village_code].append((due, verified))
    allocated: dict[str, int] = defaultdict(int)
    of_year = set()
    for al in s.allocations:
        if al.fiscal_year == year and al.allocated_on <= as_of:
            allocated[al.village_code] += s.allocated_on(al, as_of)
            of_year.add(al.allocation_id)
    paid: dict[str, int] = defaultdict(int)
    for d in s.disbursements:
        if d.allocation_id in of_year:
            if d.paid_on and d.paid_on <= end:
                paid[d.village_code] += d.amount_fen
            if d.reversed_on and d.reversed_on <= end:
                paid[d.village_code] -= d.amount_fen
    eligible: dict[str, int] = defaultdict(int)
    covered: dict[str, int] = defaultdict(int)
    for person in s.persons:
        for c in person.covers:
            if c.eligible_by(as_of):
                eligible[person.village_code] += 1
                covered[person.village_code] += c.covered_on is not None and c.covered_on <= as_of
    city = next((g.growth_pct for g in s.city_growth if g.year == year and g.reported_on <= as_of), None)

    villages = {code: VillageYear(
        code=code, district=s.village(code).district, collective_fen=incomes.get((code, year)),
        farmer_fen=farmers.get((code, year)), farmer_prev_fen=farmers.get((code, year - 1)),
        milestones=tuple(milestones[code]), allocated_fen=allocated[code], paid_fen=paid[code],
        eligible=eligible[code], covered=covered[code], findings=tuple(findings[("village", code)]))
        for code in scope}
    return YearFacts(year=year, as_of=as_of, city_growth_pct=city, villages=villages, teams=teams,
                     designated={d: tuple(cs) for d, cs in sorted(by_district.items())},
                     marks={("team", t): Decimal(m).quantize(Decimal("0.01")) for t, m in a.marks.items()})


def expected_results(s: Scenario, a: AnnualAssessment) -> list[AssessmentScore]:
    """What the year's published results must be: every subject, its scores, total and grade."""
    return score_year(year_facts(s, a), rubric(a))
