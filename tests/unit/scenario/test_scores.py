"""Expected assessment results from the plan: each year is assessed on facts known by its
date, incomes included, and the scores follow what the plan did."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.reference.tasks import INCOME_TARGET_FEN

from scenario.generate import generate
from scenario.scores import expected_results, year_facts
from scenario.size import ScenarioSize


@pytest.fixture(scope="module")
def s():
    return generate(3, ScenarioSize.small())


def test_a_years_incomes_and_the_citys_growth_are_known_by_its_assessment(s):
    for a in s.assessments:
        assert all(r.reported_on <= a.as_of for r in s.incomes if r.year == a.year)
        assert all(f.reported_on <= a.as_of for f in s.farmer_incomes if f.year == a.year)
        assert all(g.reported_on <= a.as_of for g in s.city_growth if g.year == a.year)
        assert a.as_of < a.computed_on < a.published_on


def test_every_subject_is_scored_on_incomes_and_graded(s):
    for a in s.assessments:
        results = expected_results(s, a)
        assert {r.subject_kind for r in results} == {"team", "unit", "district"}
        assert {r.subject_id for r in results if r.subject_kind == "team"} == {t.team_id for t in s.teams}
        teams = [r for r in results if r.subject_kind == "team"]
        assert all("income_target" in r.scores and "income_growth" in r.scores for r in teams)
        assert any(r.scores["income_target"] > 0 for r in teams)  # not 0 for every subject
        assert all(r.grade in ("优秀", "良好", "一般", "较差") for r in results)
    reached = [sum(r.scores["income_target"] for r in expected_results(s, a) if r.subject_kind == "district")
               for a in s.assessments]
    assert reached[0] < reached[-1]  # more villages reach the target each year


def test_the_scores_follow_the_plan(s):
    a = s.assessments[1]
    report = next(r for r in s.incomes if r.year == a.year and r.income_fen >= INCOME_TARGET_FEN)
    team_id = next(x.team_id for x in s.assignments if x.village_code == report.village_code)
    before = next(r for r in expected_results(s, a) if r.subject_id == team_id)
    # The same plan with that village's income of the year reported only after the assessment.
    late = replace(s, incomes=tuple(replace(r, reported_on=a.published_on) if r == report else r for r in s.incomes))
    after = next(r for r in expected_results(late, a) if r.subject_id == team_id)
    assert year_facts(late, a).villages[report.village_code].collective_fen is None
    assert after.scores["income_target"] < before.scores["income_target"]
    assert after.total < before.total
