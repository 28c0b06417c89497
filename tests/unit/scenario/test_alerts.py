"""The alerts the plan implies (scenario/alerts.py), computed from the plan alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from scenario.alerts import Episode, compare, counts, expected_alerts
from scenario.generate import generate
from scenario.model import CheckIn, TeamChange
from scenario.size import ScenarioSize


@pytest.fixture(scope="module")
def plan():
    return generate(7, ScenarioSize.small())


def test_the_plan_has_late_approvals_unpaid_approvals_overdue_milestones_and_absences(plan):
    raised = {rule: n for rule, (n, _) in counts(expected_alerts(plan)).items()}
    for rule in ("disbursement.awaiting_approval", "disbursement.approved_unpaid", "milestone.overdue",
                 "cadre.presence_below_requirement", "person.eligible_not_covered", "village.without_team"):
        assert raised.get(rule, 0) > 0, rule


def test_an_approval_after_more_than_14_days_is_raised_on_the_15th_and_resolved_by_it(plan):
    d = next(d for d in plan.disbursements if d.approved_on and (d.approved_on - d.requested_on).days <= 6)
    late = replace(d, approved_on=date.fromordinal(d.requested_on.toordinal() + 16))
    at_15 = replace(d, approved_on=date.fromordinal(d.requested_on.toordinal() + 15))
    for version, want in ((d, None), (at_15, None), (late, [Episode(
            date.fromordinal(d.requested_on.toordinal() + 15), late.approved_on)])):
        got = expected_alerts(replace(plan, disbursements=(version,))).get(
            ("disbursement.awaiting_approval", d.disbursement_id))
        assert got == want


def test_the_comparison_names_what_differs_both_ways(plan):
    expected = expected_alerts(plan)
    served = {k: list(reversed(v)) for k, v in expected.items()}  # served newest first: order does not matter
    assert compare(expected, served) == []
    key, [episode, *_] = next((k, v) for k, v in expected.items() if v[0].resolved_on)
    served[key] = [replace(episode, resolved_on=None)]
    served[("milestone.overdue", "nobody")] = [Episode(date(2022, 1, 1), None)]
    served[("income.drop", "not-compared")] = [Episode(date(2022, 1, 1), None)]
    assert [(d.rule, d.subject) for d in compare(expected, served)] == sorted([key, ("milestone.overdue", "nobody")])


# -- the plan's own undo steps: each undoes the condition as the monitoring rule says -------

def test_an_allocation_cancelled_or_frozen_before_anything_was_requested_is_not_idle(plan):
    a = plan.allocations[0]
    alone = replace(plan, disbursements=(), allocations=(replace(a, cancelled_on=None),), graduations=())
    key = ("allocation.idle", a.allocation_id)
    assert expected_alerts(alone)[key] == [Episode(a.allocated_on + timedelta(days=91), None)]
    cancelled = replace(alone, allocations=(replace(a, cancelled_on=a.allocated_on + timedelta(days=1)),))
    assert key not in expected_alerts(cancelled)
    g = next(iter(plan.graduations))
    on_graduated = replace(a, village_code=g.village_code, allocated_on=g.on - timedelta(days=100), cancelled_on=None)
    frozen = replace(plan, disbursements=(), allocations=(on_graduated,))
    assert expected_alerts(frozen)[key] == [Episode(on_graduated.allocated_on + timedelta(days=91), g.on)]


def test_a_replanned_milestone_is_overdue_against_its_new_day_and_a_cancelled_project_resolves_it(plan):
    p = next(p for p in plan.projects if any(m.replanned for m in p.milestones))
    m = next(m for m in p.milestones if m.replanned)
    on, due = m.replanned
    late = replace(m, verified_on=due + timedelta(days=5))
    got = expected_alerts(replace(plan, projects=(replace(p, milestones=(late,)),)))
    assert got[("milestone.overdue", f"{p.project_id}:{m.milestone_id}")] == [Episode(due + timedelta(days=1),
                                                                                      late.verified_on)]
    never = replace(m, verified_on=None, reports=(), returned=())
    stopped = replace(p, milestones=(never,), cancelled_on=due + timedelta(days=10))
    got = expected_alerts(replace(plan, projects=(stopped,)))
    assert got[("milestone.overdue", f"{p.project_id}:{m.milestone_id}")] == [Episode(due + timedelta(days=1),
                                                                                      stopped.cancelled_on)]


def test_eligibility_withdrawn_resolves_the_gap(plan):
    person = next(p for p in plan.persons if any(c.withdrawn_on for c in p.covers))
    c = next(c for c in person.covers if c.withdrawn_on)
    got = expected_alerts(replace(plan, persons=(person,)))[("person.eligible_not_covered", f"{person.person_id}:{c.cover}")]
    assert got == [Episode(c.eligible_on + timedelta(days=31), c.withdrawn_on)]


def test_a_village_left_by_a_dissolved_team_and_never_taken_is_a_second_episode(plan):
    dissolved = next(c for c in plan.team_changes if c.dissolved)
    taken = {a.village_code for a in plan.assignments if a.assigned_on > dissolved.on}
    left = [a.village_code for a in plan.assignments if a.team_id == dissolved.team_id and a.village_code not in taken]
    assert left, "the seed's dissolution leaves a village without a team"
    got = expected_alerts(plan)[("village.without_team", left[0])]
    assert got[-1] == Episode(dissolved.on + timedelta(days=31), None) and len(got) == 2


def test_presence_judges_the_members_at_the_months_end_on_days_present_less_leave_that_counted(plan):
    team = next(t for t in plan.teams if len(t.member_ids) >= 2 and not any(
        c.team_id == t.team_id for c in plan.team_changes))
    cadre = team.member_ids[0]
    month = (date(2022, 3, 1), date(2022, 3, 31))
    checks = tuple(c for c in plan.check_ins if not (c.cadre_id == cadre and month[0] <= c.day <= month[1]))
    days = [month[0] + timedelta(days=i) for i in range(plan.size.presence_days_per_month - 1)]
    # One short, each day checked in twice (two villages): days count, not check-ins.
    short = checks + tuple(CheckIn(cadre, team.team_id, "v", d, ()) for d in days for _ in range(2))
    key = ("cadre.presence_below_requirement", f"{cadre}:2022-03")
    assert expected_alerts(replace(plan, check_ins=short))[key] == [Episode(month[1], None)]
    removed = replace(plan, check_ins=short, team_changes=(TeamChange(team.team_id, team.district, month[1],
                                                                      removed=cadre),))
    assert key not in expected_alerts(removed)  # not a member at the end of the month's last day
    leave = next(lv for lv in plan.leaves if lv.approved)
    away = replace(leave, cadre_id=cadre, start=month[0] + timedelta(days=20), end=month[0] + timedelta(days=21),
                   decided_on=month[0], cancelled_on=None)
    with_leave = replace(plan, check_ins=short, leaves=(away,))
    assert key not in expected_alerts(with_leave)
    cancelled = replace(plan, check_ins=short, leaves=(replace(away, cancelled_on=month[0] + timedelta(days=5)),))
    assert expected_alerts(cancelled)[key] == [Episode(month[1], None)]
