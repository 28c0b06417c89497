"""Dynamic management in the plan: each kind of undo is generated under the services' rules,
and the expected figures and scores follow it from its day on (and not before)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from shared.reference.tasks import INCOME_TARGET_FEN

from scenario import calendar
from scenario.expect import METRICS, figure
from scenario.generate import generate
from scenario.generate.undo import INCOME_JUMP_FACTOR
from scenario.scores import year_facts
from scenario.size import ScenarioSize

DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def s():
    return generate(7, ScenarioSize.small())


def every_kind_of_undo(plan) -> None:
    """Also run over the programme's own size, in test_generate (which has it at hand)."""
    assert any(lv.cancelled_on for lv in plan.leaves)
    assert any(c.withdrawn_on for p in plan.persons for c in p.covers)
    reviews = [r.reviewed[1] for r in plan.incomes if r.reviewed]
    assert reviews[:2] == [True, False]
    assert any(a.cancelled_on for a in plan.allocations)
    assert any(p.cancelled_on for p in plan.projects)
    assert any(m.replanned for p in plan.projects for m in p.milestones)
    assert any(d.reversed_on for d in plan.disbursements)
    assert plan.graduations and set(plan.rescreening.designated) - plan.designated
    assert any(c.new_secretary for c in plan.team_changes) and any(c.removed for c in plan.team_changes)
    assert any(c.dissolved for c in plan.team_changes)


def test_every_kind_of_undo_is_in_the_plan(s):
    every_kind_of_undo(s)


def test_a_reversed_payment_is_paid_again(s):
    d = next(d for d in s.disbursements if d.reversed_on)
    again = [x for x in s.disbursements if (x.allocation_id, x.tranche_no) == (d.allocation_id, d.tranche_no)
             and x.requested_on > d.reversed_on]
    assert len(again) == 1 and again[0].paid_on
    assert figure(s, "disbursed", d.reversed_on, None, {"source": d.source}) == \
        {None: figure(s, "disbursed", d.reversed_on - DAY, None, {"source": d.source})[None] - d.amount_fen}


def test_leave_is_cancelled_before_it_starts_and_its_days_count_no_more(s):
    lv = next(lv for lv in s.leaves if lv.cancelled_on)
    assert lv.approved and lv.decided_on < lv.cancelled_on < lv.start
    year = {"year": str(lv.start.year)}
    team = s.team_of_cadre[lv.cadre_id].district
    before = figure(s, "leave_days", lv.cancelled_on - DAY, "district", year)[team]
    assert figure(s, "leave_days", lv.cancelled_on, "district", year).get(team, 0) == before - lv.days


def test_eligibility_is_withdrawn_only_from_a_gap(s):
    person = next(p for p in s.persons if any(c.withdrawn_on for c in p.covers))
    cover = next(c for c in person.covers if c.withdrawn_on)
    assert cover.covered_on is None and cover.eligible_on < cover.withdrawn_on <= calendar.END
    gaps = {"covered": "no"}
    before = figure(s, "low_income_eligible", cover.withdrawn_on - DAY, "village", gaps)[person.village_code]
    assert figure(s, "low_income_eligible", cover.withdrawn_on, "village", gaps).get(person.village_code, 0) == before - 1
    a = next(a for a in s.assessments if a.as_of >= cover.withdrawn_on)
    village = year_facts(s, a).villages[person.village_code]
    assert village.eligible == sum(c.eligible_by(a.as_of) for p in s.persons if p.village_code == person.village_code
                                   for c in p.covers)


def test_flagged_income_reports_are_those_the_service_flags_and_a_rejected_one_counts_as_none(s):
    baseline = {v.code: v.income_fen["2020"] for v in s.villages}
    for r in s.incomes:
        if r.year == 2021:
            prev = baseline[r.village_code]
            assert r.flagged == (prev > 0 and (r.income_fen > prev * INCOME_JUMP_FACTOR or
                                               r.income_fen * INCOME_JUMP_FACTOR < prev))
        assert r.flagged == (r.reviewed is not None)
    rejected = next(r for r in s.incomes if r.reviewed and not r.reviewed[1])
    on = rejected.reviewed[0]
    year = {"year": str(rejected.year)}
    assert figure(s, "income_reports", on - DAY, "village", year)[rejected.village_code] == 1
    assert figure(s, "income_reports", on - DAY, "village", year | {"flagged": "yes"})[rejected.village_code] == 1
    assert rejected.village_code not in figure(s, "income_reports", on, "village", year)
    accepted = next(r for r in s.incomes if r.reviewed and r.reviewed[1])
    after = figure(s, "income_reports", accepted.reviewed[0], "village", {"year": str(accepted.year), "flagged": "no"})
    assert after[accepted.village_code] == 1
    a = next(a for a in s.assessments if a.year == rejected.year)
    assert year_facts(s, a).villages[rejected.village_code].collective_fen is None


def test_a_cancelled_allocation_had_no_requests_and_counts_nothing_from_its_day(s):
    a = next(a for a in s.allocations if a.cancelled_on)
    assert not [d for d in s.disbursements if d.allocation_id == a.allocation_id]
    by = {"project": a.project_id}
    assert figure(s, "allocated", a.cancelled_on - DAY, "source", by)[a.source] >= a.amount_fen
    assert figure(s, "allocated", a.cancelled_on, "source", by).get(a.source, 0) == \
        figure(s, "allocated", a.cancelled_on - DAY, "source", by)[a.source] - a.amount_fen


def test_a_stalled_project_is_cancelled_after_everything_on_it_and_its_unreleased_tranches_return(s):
    p = next(p for p in s.projects if p.cancelled_on)
    assert p.completed_on is None and not any(m.reports for m in p.milestones if m.verified_on is None)
    ids = {a.allocation_id for a in s.allocations if a.project_id == p.project_id}
    assert all(x < p.cancelled_on for d in s.disbursements if d.allocation_id in ids
               for x in (d.requested_on, d.approved_on, d.paid_on, d.reversed_on) if x)
    on, day_before = p.cancelled_on, p.cancelled_on - DAY
    task = {"task": str(p.task_no)}
    assert figure(s, "projects_cancelled", day_before, "village", task).get(p.village_code, 0) == 0
    assert figure(s, "projects_cancelled", on, "village", task)[p.village_code] == 1
    assert figure(s, "projects", on, "village", task).get(p.village_code, 0) == \
        figure(s, "projects", day_before, "village", task)[p.village_code] - 1
    verified = {m.milestone_id for m in p.milestones if m.verified_on}
    kept = sum(t.amount_fen for a in s.allocations if a.allocation_id in ids for t in a.tranches
               if t.milestone_id is None or t.milestone_id in verified)
    assert figure(s, "allocated", on, None, {"project": p.project_id}) == {None: kept}
    assert figure(s, "milestones_overdue", on, "village", task).get(p.village_code, 0) <= \
        figure(s, "milestones_overdue", day_before, "village", task).get(p.village_code, 0)
    a = next(a for a in s.assessments if a.as_of >= on)
    expected = {m.due_on for m in p.milestones if m.verified_on and a.year == m.due_on.year}
    assert {due for due, _ in year_facts(s, a).villages[p.village_code].milestones} >= expected


def test_a_milestone_is_replanned_before_it_falls_due_to_when_it_was_reported(s):
    p, m = next((p, m) for p in s.projects for m in p.milestones if m.replanned)
    on, due = m.replanned
    assert p.planned_on <= on < m.due_on < m.reports[0] and due == min(m.reports[0], p.planned_end)
    assert m.due_as_of(on - DAY) == m.due_on and m.due_as_of(on) == due
    late = m.due_on + DAY  # overdue on the old plan, not on the new one
    assert late < m.reports[0]
    as_planned = replace(p, milestones=tuple(replace(x, replanned=None) if x is m else x for x in p.milestones))
    unplanned = replace(s, projects=tuple(as_planned if q is p else q for q in s.projects))

    def overdue(plan) -> int:
        return sum(r.value for r in METRICS["milestones_overdue"](plan, late) if r.village == p.village_code)

    assert overdue(s) == overdue(unplanned) - 1


def test_graduates_met_the_target_and_their_plan_stops_on_the_day(s):
    assert s.graduations
    for g in s.graduations:
        report = next(r for r in s.incomes if (r.village_code, r.year) == (g.village_code, g.year))
        assert report.income_fen == g.income_fen >= INCOME_TARGET_FEN and g.village_code in s.designated
        ids = {a.allocation_id for a in s.allocations if a.village_code == g.village_code}
        assert all(d.requested_on < g.on for d in s.disbursements if d.allocation_id in ids)
        assert all(x < g.released_on for d in s.disbursements if d.allocation_id in ids
                   for x in (d.approved_on, d.paid_on, d.reversed_on, d.rejected_on) if x)
        for p in s.projects:
            if p.village_code == g.village_code:
                assert p.planned_on < g.on and p.cancelled_on is None
                assert all(d < g.on for m in p.milestones for d in (*m.reports, m.verified_on) if d)
        assert not [c for c in s.check_ins if c.village_code == g.village_code and c.day >= g.on]
        team = next(a for a in s.assignments if a.village_code == g.village_code)
        assert team.left_on == g.on


def test_graduation_leaves_the_list_freezes_the_money_and_the_rescreening_brings_the_next_in(s):
    g = s.graduations[0]
    before, on = g.on - DAY, g.on
    assert g.village_code in s.designated_on(before) and g.village_code not in s.designated_on(on)
    assert figure(s, "villages_graduated", on, "village", {}) == {x.village_code: 1 for x in s.graduations}
    assert figure(s, "weak_with_team", on, None, {})[None] == len(s.designated) - len(s.graduations)
    frozen = figure(s, "allocations_frozen", on, "village", {})
    paid = sum(s.paid_of.get(a.allocation_id, 0) for a in s.allocations if a.village_code == g.village_code)
    allocated = figure(s, "allocated", before, "village", {})[g.village_code]
    assert frozen.get(g.village_code, 0) == allocated - paid
    assert figure(s, "allocations_frozen", g.released_on, None, {}) == {}
    assert figure(s, "allocated", g.released_on, "village", {}).get(g.village_code, 0) == paid
    run = s.rescreening
    assert run.on > g.on and run.quota == s.screening.quota and run.designated == tuple(
        v.code for v in sorted((v for v in s.villages if v.code not in s.graduation_of),
                               key=lambda v: (v.average_fen, v.code))[:run.quota])
    new = set(run.designated) - s.designated
    assert len(new) == len(s.graduations) and s.designated_on(run.on) == frozenset(run.designated)
    assert figure(s, "weak_without_team", run.on, None, {}).get(None, 0) == len(new)  # until their teams come
    # The year's scores: the graduated village still counts for 2023 (served until March), not as designated.
    a = next(a for a in s.assessments if a.year == 2023)
    facts = year_facts(s, a)
    assert g.village_code not in {c for cs in facts.designated.values() for c in cs}
    assert g.village_code in facts.teams[next(x.team_id for x in s.assignments if x.village_code == g.village_code)].villages


def test_a_new_first_secretary_is_a_trained_lead_unit_member_and_a_member_who_leaves_stops(s):
    teams = {t.team_id: t for t in s.teams}
    for c in s.team_changes:
        t = teams[c.team_id]
        if c.new_secretary:
            assert c.new_secretary in t.member_ids and s.unit_of_cadre[c.new_secretary] == t.lead_unit_id
            assert any(x.cadre_id == c.new_secretary and x.centralised and x.completed_on <= c.on for x in s.trainings)
            assert s.secretary_on(t, c.on - DAY) == t.first_secretary_id and s.secretary_on(t, c.on) == c.new_secretary
            assert figure(s, "first_secretaries", c.on, "trained", {}).get("no", 0) == 0
        elif c.removed:
            assert c.removed in t.member_ids and c.removed != s.secretary_on(t, c.on)
            assert not [x for x in s.check_ins if x.cadre_id == c.removed and x.day >= c.on]
            assert all(lv.end < c.on for lv in s.leaves if lv.cadre_id == c.removed)
            stationed = figure(s, "cadres_stationed", c.on - DAY, "district", {})[t.district]
            assert figure(s, "cadres_stationed", c.on, "district", {})[t.district] == stationed - 1
            a = next(a for a in s.assessments if a.year == c.on.year)
            assert year_facts(s, a).teams[t.team_id].members == len(t.member_ids) - 1


def test_a_dissolved_team_frees_its_villages_and_people_and_a_team_rotates_to_take_them(s):
    c = next(c for c in s.team_changes if c.dissolved)
    team = next(t for t in s.teams if t.team_id == c.team_id)
    before, on, end = c.on - DAY, c.on, calendar.END
    freed = [a for a in s.assignments if a.team_id == team.team_id]
    assert freed and all(a.left_on == on for a in freed)
    assert s.exists_on(team, before) and not s.exists_on(team, on) and s.members_on(team, on) == []
    assert not [x for x in s.check_ins if x.cadre_id in team.member_ids and x.day >= on]
    assert sum(figure(s, "teams", on, "district", {}).values()) == sum(figure(s, "teams", before, "district", {}).values()) - 1
    assert figure(s, "cadres_stationed", on, "district", {}).get(team.district, 0) == \
        figure(s, "cadres_stationed", before, "district", {})[team.district] - len(team.member_ids)
    rotations = [a for a in s.assignments if a.assigned_on > on]
    assert rotations and {a.village_code for a in rotations} <= {a.village_code for a in freed}
    for a in rotations:
        taker = [x for x in s.assignments if x.team_id == a.team_id and x.active_on(end)]
        assert len(taker) == 2 and a.district == team.district
    assert figure(s, "weak_without_team", end, None, {}).get(None, 0) == len(
        s.designated_on(end) - {a.village_code for a in s.assignments if a.active_on(end)})
