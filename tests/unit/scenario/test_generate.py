"""The generator: the programme's numbers and rules hold, and a seed fixes everything."""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from shared.reference.places import DISTRICTS
from shared.reference.tasks import INCOME_TARGET_FEN

from scenario import calendar
from scenario.generate import generate
from scenario.generate.network import teams_per_district
from scenario.size import ScenarioSize
from tests.unit.scenario.test_dynamics import every_kind_of_undo


@pytest.fixture(scope="module")
def tianjin():
    return generate(2021)


@pytest.fixture(scope="module")
def small():
    return generate(7, ScenarioSize.small())


def test_a_seed_fixes_everything():
    assert generate(11, ScenarioSize.small()) == generate(11, ScenarioSize.small())
    assert generate(11, ScenarioSize.small()).villages != generate(12, ScenarioSize.small()).villages


def test_the_programmes_numbers(tianjin):
    assert (len(tianjin.villages), len(tianjin.screening.designated), len(tianjin.units), len(tianjin.cadres),
            len(tianjin.teams)) == (3520, 800, 554, 1364, 450)
    assert {v.district for v in tianjin.villages} == set(DISTRICTS)
    per_team = Counter(a.team_id for a in tianjin.assignments if a.assigned_on == calendar.ASSIGNMENTS)
    assert Counter(per_team.values()) == {2: 350, 1: 100}
    assert {u.level for u in tianjin.units} == {"city", "district"}


def test_codes_names_and_towns_are_plausible(tianjin):
    codes = [v.code for v in tianjin.villages]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 12 and c.isdigit() and c.startswith(v.district) for c, v in zip(codes, tianjin.villages))
    by_district = defaultdict(list)
    for v in tianjin.villages:
        by_district[v.district].append(v.name)
    assert all(len(set(names)) == len(names) for names in by_district.values())
    assert all(v.name.endswith("村") and v.town.endswith(("镇", "乡", "街道")) for v in tianjin.villages)


def test_incomes_are_right_skewed_and_the_bottom_is_below_the_target(tianjin):
    averages = [v.average_fen for v in tianjin.villages]
    assert statistics.mean(averages) > 1.3 * statistics.median(averages)
    assert tianjin.screening.cutoff_average_fen < INCOME_TARGET_FEN


def test_designation_is_the_bottom_n_by_average_then_code(tianjin):
    ranked = sorted(tianjin.villages, key=lambda v: (v.average_fen, v.code))
    assert tianjin.screening.designated == tuple(v.code for v in ranked[:800])
    assert max(tianjin.village(c).average_fen for c in tianjin.screening.designated) <= min(
        v.average_fen for v in ranked[800:])


@pytest.mark.parametrize("name", ["tianjin", "small"])
def test_every_network_rule_holds(name, request):
    s = request.getfixturevalue(name)
    units = {u.unit_id: u for u in s.units}
    cadres = {c.cadre_id: c for c in s.cadres}
    in_teams = Counter(u for t in s.teams for u in (t.lead_unit_id, *t.partner_unit_ids))
    assert set(in_teams) == set(units) and set(in_teams.values()) <= {1, 2}
    member_of = Counter(m for t in s.teams for m in t.member_ids)
    assert set(member_of) == set(cadres) and set(member_of.values()) == {1}
    villages_of = defaultdict(list)
    first = [a for a in s.assignments if a.assigned_on == calendar.ASSIGNMENTS]  # the re-screening's come later
    for a in first:
        villages_of[a.team_id].append(a)
    assert sorted(a.village_code for a in first) == sorted(s.screening.designated)
    trained = {t.cadre_id: t.completed_on for t in s.trainings if t.centralised}
    for t in s.teams:
        assert 1 <= len(villages_of[t.team_id]) <= 2
        assert all(a.district == t.district for a in villages_of[t.team_id])
        assert all(cadres[m].unit_id in (t.lead_unit_id, *t.partner_unit_ids) for m in t.member_ids)
        assert t.first_secretary_id in t.member_ids and cadres[t.first_secretary_id].unit_id == t.lead_unit_id
        assert all(trained[t.first_secretary_id] < a.entered_on for a in villages_of[t.team_id])
        lead = units[t.lead_unit_id]
        assert lead.level == "city" or lead.district == t.district
        assert all(units[p].level == "city" or units[p].district == t.district for p in t.partner_unit_ids)


def test_teams_per_district_respects_one_to_two_villages():
    assert teams_per_district({"a": 5, "b": 4, "c": 0}, 5) == {"a": 3, "b": 2, "c": 0}
    with pytest.raises(ValueError, match="teams cannot serve"):
        teams_per_district({"a": 5, "b": 5}, 5)  # needs at least 3 + 3


@pytest.mark.parametrize("change", [{"teams": 300}, {"designated": 5000}, {"units": 100}, {"cadres": 400}])
def test_impossible_sizes_are_refused(change):
    with pytest.raises(ValueError):
        ScenarioSize().scaled(**change)


def test_leave_stays_within_the_quota_and_presence_avoids_it(small, tianjin):
    for s in (small, tianjin):
        used = Counter()
        for lv in s.leaves:
            if lv.approved:
                used[(lv.cadre_id, lv.start.year)] += lv.days
        assert max(used.values()) <= s.size.leave_quota_days
        assert any(not lv.approved for lv in s.leaves)
    away = {(lv.cadre_id, lv.start + timedelta(days=i)) for lv in tianjin.leaves if lv.approved for i in range(lv.days)}
    entered = {(a.team_id, a.village_code): a.entered_on for a in tianjin.assignments}
    assert tianjin.check_ins
    for c in tianjin.check_ins:
        assert (c.cadre_id, c.day) not in away
        assert entered[(c.team_id, c.village_code)] <= c.day <= calendar.END
    assert len({(c.cadre_id, c.day) for c in tianjin.check_ins}) == len(tianjin.check_ins)


def test_milestones_mostly_on_time_some_late_a_few_sent_back(tianjin):
    milestones = [m for p in tianjin.projects for m in p.milestones]
    late = [m for m in milestones if m.reports and m.reports[0] > m.due_on]
    assert 0.05 < len(late) / len(milestones) < 0.35
    assert any(m.returned for m in milestones)
    assert any(p.completed_on is None for p in tianjin.projects)
    for p in tianjin.projects:
        assert p.task_no != 3 and 1 <= p.task_no <= 19
        previous = p.planned_start
        for m in p.milestones:
            assert all(r >= previous for r in m.reports)
            assert m.verified_on is None or m.verified_on > m.reports[-1]
            if m.verified_on:
                previous = m.verified_on
    assert {p.task_no for p in tianjin.projects} == set(range(1, 20)) - {3}


def test_money_never_exceeds_its_limits_and_four_eyes_hold(tianjin):
    allocated = Counter()
    for a in tianjin.allocations:
        allocated[a.line_id] += a.amount_fen
        assert sum(t.amount_fen for t in a.tranches) == a.amount_fen
    assert all(line.amount_fen >= allocated[line.line_id] for line in tianjin.lines)
    assert {line.source for line in tianjin.lines} == {"city_special", "district", "town", "unit", "other"}
    allocations = {a.allocation_id: a for a in tianjin.allocations}
    verified = {m.milestone_id: m.verified_on for p in tianjin.projects for m in p.milestones}
    paid = Counter()
    states = Counter()
    for d in tianjin.disbursements:
        states[d.state_on(tianjin.end)] += 1
        assert d.approved_by is None or d.approved_by != d.requested_by
        tranche = next(t for t in allocations[d.allocation_id].tranches if t.tranche_no == d.tranche_no)
        if tranche.milestone_id:
            assert verified[tranche.milestone_id] < d.requested_on
        if d.state_on(tianjin.end) == "paid":
            paid[(d.allocation_id, d.tranche_no)] += d.amount_fen
    assert all(v == next(t.amount_fen for t in allocations[a].tranches if t.tranche_no == n) for (a, n), v in paid.items())
    assert states["rejected"] and states["reversed"] and states["paid"] > 0.9 * sum(states.values())


def test_most_but_not_all_weak_villages_reach_200000_yuan(tianjin):
    final = [r for r in tianjin.incomes if r.year == 2023]
    reached = sum(r.income_fen >= INCOME_TARGET_FEN for r in final) / len(final)
    assert 0.85 < reached < 1
    first = sum(r.income_fen >= INCOME_TARGET_FEN for r in tianjin.incomes if r.year == 2021) / len(final)
    assert first < reached


def test_low_income_coverage_has_a_few_gaps(tianjin):
    covers = [c for p in tianjin.persons for c in p.covers]
    gaps = [c for c in covers if c.covered_on is None]
    assert 0 < len(gaps) / len(covers) < 0.1
    assert all(c.covered_on is None or c.covered_on > c.eligible_on for c in covers)
    assert all("name" not in vars(p) for p in tianjin.persons)


def test_the_same_seed_gives_the_same_programme_in_another_process():
    code = ("import hashlib; from scenario.generate import generate; from scenario.size import ScenarioSize; "
            "print(hashlib.sha256(repr(generate(5, ScenarioSize.small())).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], env=os.environ | {"PYTHONHASHSEED": str(h)},
                              capture_output=True, text=True, check=True).stdout for h in (1, 2)}
    assert len(digests) == 1
    assert digests == {hashlib.sha256(repr(generate(5, ScenarioSize.small())).encode()).hexdigest() + "\n"}


def test_every_kind_of_undo_at_the_programmes_size(tianjin):
    every_kind_of_undo(tianjin)


def test_presence_sheets_hold_at_most_500_check_ins_a_team_s_month_whole(tianjin):
    from scenario.recording import presence_sheets

    sheets = presence_sheets(tianjin)
    assert max(len(entries) for *_, entries, _ in sheets) <= 500  # a small sheet holds the API less
    parts = Counter((district, month) for district, month, *_ in sheets)
    assert max(parts.values()) > 1  # the bound split some district's month
    assert sorted(id(c) for *_, entries, _ in sheets for c in entries) == sorted(id(c) for c in tianjin.check_ins)
    sheet_of = {}
    for district, month, part, entries, recorded in sheets:
        assert recorded == max(c.day for c in entries) + timedelta(days=1)
        for c in entries:
            assert sheet_of.setdefault((c.team_id, month), part) == part  # a team's month in one sheet
