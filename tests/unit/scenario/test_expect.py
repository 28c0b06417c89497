"""Expected statistics from the plan: as of a day, only what had happened by then counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scenario import calendar
from scenario.expect import figure
from scenario.generate import generate
from scenario.size import ScenarioSize


@pytest.fixture(scope="module")
def s():
    return generate(3, ScenarioSize.small())


def test_villages_count_from_the_day_their_district_registered_them(s):
    first = calendar.REGISTRATION
    registered = figure(s, "villages_registered", first, "district", {})
    assert list(registered) == ["120110"]  # the first district's table, the first day
    assert sum(figure(s, "villages_registered", first + timedelta(days=8), "district", {}).values()) == len(s.villages)
    assert figure(s, "villages_registered", first - timedelta(days=1), None, {}) == {}


def test_designation_counts_only_from_the_screening_day(s):
    assert figure(s, "villages_designated", s.screening.on - timedelta(days=1), None, {}) == {}
    assert figure(s, "villages_designated", s.screening.on, None, {}) == {None: len(s.designated)}
    assert figure(s, "weak_without_team", s.screening.on, None, {}) == {None: len(s.designated)}
    assert figure(s, "weak_with_team", calendar.END, None, {}) == {None: len(s.designated)}


def test_a_reversed_payment_is_not_disbursed_and_a_pending_one_waits(s):
    reversed_ = next(d for d in s.disbursements if d.reversed_on)
    on_paid = figure(s, "disbursed", reversed_.paid_on, "district", {})
    after = figure(s, "disbursed", reversed_.reversed_on, "district", {})
    assert on_paid[reversed_.district] - figure(s, "disbursed", reversed_.paid_on - timedelta(days=1), "district",
                                                {}).get(reversed_.district, 0) >= reversed_.amount_fen
    assert after.get(reversed_.district, 0) <= on_paid[reversed_.district] - reversed_.amount_fen + sum(
        d.amount_fen for d in s.disbursements if d.district == reversed_.district
        and d.paid_on and reversed_.paid_on < d.paid_on <= reversed_.reversed_on)
    d = next(x for x in s.disbursements if x.approved_on and x.approved_on > x.requested_on)
    assert figure(s, "awaiting_approval", d.requested_on, "district", {})[d.district] >= d.amount_fen


def test_income_reports_reach_the_target_more_each_year(s):
    at_target = figure(s, "income_reports", calendar.END, "year", {"at_target": "yes"})
    assert at_target["2021"] < at_target["2023"] <= len(s.designated)
    assert figure(s, "income_reports", date(2021, 12, 31), None, {}) == {}  # reported from January 2022


def test_projects_move_from_planned_to_done(s):
    p = next(p for p in s.projects if p.completed_on and p.planned_on < p.planned_start)
    status = lambda d: next(iter(figure(s, "projects", d, "status", {"task": str(p.task_no)}).keys() & set()), None)  # noqa: E731
    assert status(p.planned_on) is None  # only checks the call shape; the real test follows
    one = {"task": str(p.task_no), "action": p.action_code}

    def has(d, state):
        rows = [r for r in __import__("scenario.expect", fromlist=["METRICS"]).METRICS["projects"](s, d)
                if r.village == p.village_code and r.dims == one | {"status": state}]
        return bool(rows)

    assert has(p.planned_on, "planned") and has(p.planned_start, "in_progress") and has(p.completed_on, "done")
    assert not has(p.planned_on - timedelta(days=1), "planned") or any(
        q.village_code == p.village_code and q.task_no == p.task_no and q.planned_on < p.planned_on for q in s.projects)
