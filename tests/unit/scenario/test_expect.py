"""Expected statistics from the plan: as of a day, only what had happened by then counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scenario import calendar
from scenario.expect import METRICS, figure
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
    assert reversed_.state_on(reversed_.requested_on - timedelta(days=1)) == "none"
    assert reversed_.state_on(reversed_.paid_on) == "paid"
    assert reversed_.state_on(reversed_.reversed_on) == "reversed"
    paid_at_end = sum(d.amount_fen for d in s.disbursements if d.state_on(calendar.END) == "paid")
    assert figure(s, "disbursed", calendar.END, None, {}) == {None: paid_at_end}
    waiting = next(d for d in s.disbursements if d.approved_on and d.approved_on > d.requested_on)
    assert figure(s, "awaiting_approval", waiting.requested_on, "district", {})[waiting.district] >= waiting.amount_fen


def test_income_reports_reach_the_target_more_each_year(s):
    at_target = figure(s, "income_reports", calendar.END, "year", {"at_target": "yes"})
    assert at_target["2021"] < at_target["2023"] <= len(s.designated)
    assert figure(s, "income_reports", date(2021, 12, 31), None, {}) == {}  # reported from January 2022


def test_projects_move_from_planned_to_done(s):
    p = next(p for p in s.projects if p.completed_on and p.planned_on < p.planned_start)

    def status(d: date) -> set[str]:
        return {r.dims["status"] for r in METRICS["projects"](s, d) if r.village == p.village_code
                and r.dims["task"] == str(p.task_no)}

    assert "planned" in status(p.planned_on)
    assert "in_progress" in status(p.planned_start)
    assert "done" in status(p.completed_on)
