"""Rubric rules and scoring: each dimension passes and fails, weights renormalise when a
dimension has nothing expected, grades by cut-off, subjects roll up to units and districts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.assessment.domain.rubric import DefineRubric, Rubric, grade
from services.assessment.domain.scoring import TeamYear, VillageYear, YearFacts, score_year

ALL = ["income_target", "income_growth", "task_progress", "disbursement", "coverage", "presence", "inspections",
       "assessor_marks"]


def rubric(weights: dict[str, int] | None = None, **extra):
    weights = weights or {"income_target": 30, "task_progress": 20, "disbursement": 10, "coverage": 10,
                          "presence": 10, "inspections": 10, "income_growth": 5, "assessor_marks": 5}
    r = Rubric("2022")
    return r.define(DefineRubric(dimensions=[{"code": c, "weight": w} for c, w in weights.items()], **extra))


def good_village(code: str, district: str = "120119", **change) -> VillageYear:
    base = dict(code=code, district=district, collective_fen=25_000_000, farmer_fen=22_000, farmer_prev_fen=20_000,
                milestones=((date(2022, 3, 31), date(2022, 3, 30)),), allocated_fen=1_000_000, paid_fen=1_000_000,
                eligible=4, covered=4, findings=((date(2022, 6, 30), date(2022, 6, 20)),))
    return VillageYear(**(base | change))


def team(team_id: str, villages: tuple[str, ...], unit: str = "U-1", **change) -> TeamYear:
    base = dict(team_id=team_id, lead_unit_id=unit, district="120119", villages=villages, members=2, active_days=365,
                presence_days=400)
    return TeamYear(**(base | change))


def facts(villages, teams, designated=None, marks=None, city=Decimal("6.00")) -> YearFacts:
    return YearFacts(year=2022, as_of=date(2022, 12, 31), city_growth_pct=city,
                     villages={v.code: v for v in villages}, teams={t.team_id: t for t in teams},
                     designated=designated or {}, marks=marks or {})


def one(results, kind, subject):
    return next(r for r in results if (r.subject_kind, r.subject_id) == (kind, subject))


@pytest.mark.parametrize(("body", "message"), [
    ({"dimensions": [{"code": "income_target", "weight": 60}, {"code": "coverage", "weight": 30}]}, "add up to 100"),
    ({"dimensions": [{"code": "income_target", "weight": 50}, {"code": "income_target", "weight": 50}]}, "twice"),
    ({"dimensions": [{"code": "luck", "weight": 100}]}, "income_target"),
    ({"dimensions": [{"code": "coverage", "weight": 100}], "grade_cutoffs": {"优秀": 80, "良好": 85, "一般": 60}},
     "decrease"),
    ({"dimensions": [{"code": "coverage", "weight": 100}], "params": {"late_credit": 2}}, "0–1"),
])
def test_an_inconsistent_rubric_is_refused(body, message):
    with pytest.raises(ValidationError, match=message):
        DefineRubric.model_validate(body)


def test_grades_by_cutoff():
    cuts = {"优秀": Decimal(90), "良好": Decimal(80), "一般": Decimal(60)}
    assert [grade(Decimal(x), cuts) for x in ("90", "89.99", "80", "60", "59.99")] == ["优秀", "良好", "良好", "一般", "较差"]


def test_a_team_doing_everything_scores_full_marks_and_is_excellent():
    results = score_year(facts([good_village("120119001001")], [team("T-1", ("120119001001",))],
                               marks={("team", "T-1"): Decimal(100)}), rubric())
    t1 = one(results, "team", "T-1")
    assert t1.scores == {code: Decimal("100.00") for code in ALL} and t1.total == Decimal("100.00") and t1.grade == "优秀"


@pytest.mark.parametrize(("change", "dimension", "expected"), [
    ({"collective_fen": 19_999_999}, "income_target", "0.00"),
    ({"farmer_fen": 21_200}, "income_growth", "0.00"),  # 6.00 % is not faster than the city's 6.00 %
    ({"milestones": ((date(2022, 3, 31), date(2022, 4, 1)),)}, "task_progress", "50.00"),  # late: half credit
    ({"milestones": ((date(2022, 3, 31), None),)}, "task_progress", "0.00"),
    ({"paid_fen": 250_000}, "disbursement", "25.00"),
    ({"covered": 3}, "coverage", "75.00"),
    ({"findings": ((date(2022, 6, 30), None),)}, "inspections", "0.00"),
])
def test_each_dimension_falls_when_its_rule_is_not_met(change, dimension, expected):
    results = score_year(facts([good_village("120119001001", **change)], [team("T-1", ("120119001001",))]), rubric())
    t1 = one(results, "team", "T-1")
    assert t1.scores[dimension] == Decimal(expected)
    assert t1.total < Decimal(100)


def test_presence_is_days_against_what_the_members_owe_for_the_period():
    half = score_year(facts([good_village("120119001001")], [team("T-1", ("120119001001",), presence_days=200)]),
                      rubric(params={"presence_days_per_year": 200}))
    assert one(half, "team", "T-1").scores["presence"] == Decimal("50.00")
    new_team = team("T-1", ("120119001001",), presence_days=100, active_days=73)  # formed late in the year
    assert one(score_year(facts([good_village("120119001001")], [new_team]), rubric(params={
        "presence_days_per_year": 200})), "team", "T-1").scores["presence"] == Decimal("100.00")


def test_a_dimension_with_nothing_expected_does_not_count_and_the_weights_scale_up():
    bare = good_village("120119001001", milestones=(), allocated_fen=0, paid_fen=0, eligible=0, covered=0,
                        findings=(), collective_fen=10_000_000)
    results = score_year(facts([bare], [team("T-1", ("120119001001",))]),
                         rubric({"income_target": 50, "task_progress": 25, "presence": 25}))
    t1 = one(results, "team", "T-1")
    assert set(t1.scores) == {"income_target", "presence"}
    assert t1.total == Decimal("33.33")  # (50·0 + 25·100) / 75
    assert "not applicable" in t1.basis["task_progress"]


def test_units_and_districts_roll_up_their_teams_and_villages():
    villages = [good_village("120119001001"), good_village("120119001002", collective_fen=0),
                good_village("120119001003", collective_fen=0)]  # designated, no team yet
    teams = [team("T-1", ("120119001001",)), team("T-2", ("120119001002",))]
    results = score_year(facts(villages, teams, designated={"120119": ("120119001001", "120119001002",
                                                                        "120119001003")}),
                         rubric({"income_target": 100}))
    assert one(results, "team", "T-1").total == Decimal("100.00")
    assert one(results, "unit", "U-1").scores["income_target"] == Decimal("50.00")
    assert one(results, "district", "120119").scores["income_target"] == Decimal("33.33")
    assert one(results, "district", "120119").basis["income_target"] == "1.00/3.00"
    assert [r.subject_kind for r in results] == ["team", "team", "unit", "district"]


def test_the_same_facts_always_give_the_same_results():
    inputs = facts([good_village("120119001001", paid_fen=333_333)], [team("T-1", ("120119001001",))],
                   marks={("team", "T-1"): Decimal("87.5")})
    assert score_year(inputs, rubric()) == score_year(inputs, rubric())
