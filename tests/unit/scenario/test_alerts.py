"""The alerts the plan implies (scenario/alerts.py), computed from the plan alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from scenario.alerts import Episode, compare, counts, expected_alerts
from scenario.generate import generate
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
    for version, want in ((d, None), (at_15, None), (late, Episode(
            date.fromordinal(d.requested_on.toordinal() + 15), late.approved_on))):
        got = expected_alerts(replace(plan, disbursements=(version,))).get(
            ("disbursement.awaiting_approval", d.disbursement_id))
        assert got == want


def test_the_comparison_names_what_differs_both_ways(plan):
    expected = expected_alerts(plan)
    served = {k: [v] for k, v in expected.items()}
    assert compare(expected, served) == []
    (key, episode), *_ = expected.items()
    served[key] = [replace(episode, resolved_on=None)] if episode.resolved_on else []
    served[("milestone.overdue", "nobody")] = [Episode(date(2022, 1, 1), None)]
    served[("income.drop", "not-compared")] = [Episode(date(2022, 1, 1), None)]
    assert [(d.rule, d.subject) for d in compare(expected, served)] == sorted([key, ("milestone.overdue", "nobody")])
