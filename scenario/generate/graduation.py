"""The 2023 re-screening: villages that met the target graduate (达标出列), and a new run
brings in the next villages of the ranking in their place.

Graduation is decided on the 2022 income reports, in March 2023: from that day the village's
team no longer serves it (nothing more is reported or planned there by the team, no new
money), its allocations are frozen and, a month later, the city office returns what they had
not paid to their lines. A month after the graduations the city office runs the screening
again (superseding the first run, same quota): graduated villages are ranked no more, so the
next villages of the 2018–2020 ranking come in, and the district offices assign each to a
team of its district with room for it (the graduated village's own team first).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from shared.reference.tasks import INCOME_TARGET_FEN

from scenario.generate.villages import screening
from scenario.model import (
    Allocation,
    Assignment,
    Disbursement,
    Graduation,
    IncomeReport,
    Milestone,
    Project,
    Screening,
    Team,
    Village,
)

GRADUATION = date(2023, 3, 15)
RELEASE = GRADUATION + timedelta(days=30)
RESCREENING = date(2023, 4, 15)
RUN_ID = "tj-2023-rescreening"
SETTLED_BY = GRADUATION + timedelta(days=25)  # a graduate's requests before it are all settled by then
GRADUATED = "2022年村集体经营性收入稳定达到20万元以上，达标出列 / met the 200,000 yuan target in 2022: leaves the list"
RELEASED = "达标出列，未拨付余额退回预算线 / graduated: the unpaid remainder returns to the line"
ASSIGNED = "重新识别新增经济薄弱村，因需对接 / newly designated by the 2023 run, matched by need"


def graduates(rng: random.Random, incomes: list[IncomeReport], designated: frozenset[str],
              disbursements: list[Disbursement], allocations: list[Allocation], district: dict[str, str]
              ) -> list[Graduation]:
    """Some of the villages whose 2022 report (not flagged for review) met the target; only
    those whose requests made before the day are settled within the month (so the city
    office can return the remainder then)."""
    village_of = {a.allocation_id: a.village_code for a in allocations}
    unsettled = {village_of[d.allocation_id] for d in disbursements if d.requested_on < GRADUATION and any(
        x and x >= SETTLED_BY for x in (d.approved_on, d.rejected_on, d.paid_on, d.reversed_on))}
    unsettled |= {village_of[d.allocation_id] for d in disbursements
                  if d.requested_on < GRADUATION and not (d.paid_on or d.rejected_on)}
    met = sorted((r for r in incomes if r.year == 2022 and r.income_fen >= INCOME_TARGET_FEN and not r.flagged
                  and r.village_code in designated and r.village_code not in unsettled),
                 key=lambda r: r.village_code)
    chosen = [r for r in met if rng.random() < 0.12] or met[:1]
    return [Graduation(r.village_code, district[r.village_code], GRADUATION, 2022, r.income_fen, RELEASE)
            for r in chosen]


def rescreen(villages: list[Village], first: Screening, gone: set[str]) -> Screening:
    """The registry's rule again, over the villages still ranked: the same quota."""
    run = screening([v for v in villages if v.code not in gone], first.quota)
    return replace(run, run_id=RUN_ID, on=RESCREENING)


def leave_villages(assignments: list[Assignment], gone: set[str]) -> list[Assignment]:
    return [replace(a, left_on=GRADUATION) if a.village_code in gone else a for a in assignments]


def newcomers(run: Screening, first: Screening, assignments: list[Assignment], teams: list[Team],
              district: dict[str, str], gone: set[str]) -> list[Assignment]:
    """Each village new to the list goes to a team of its district serving fewer than two
    villages, the graduated villages' teams first; with none, it waits without a team."""
    serving: dict[str, int] = {t.team_id: 0 for t in teams}
    for a in assignments:
        if a.left_on is None:
            serving[a.team_id] += 1
    freed = {a.team_id for a in assignments if a.village_code in gone}
    order = sorted(teams, key=lambda t: (t.team_id not in freed, t.team_id))
    out = []
    for code in [c for c in run.designated if c not in set(first.designated)]:
        team = next((t for t in order if t.district == district[code] and serving[t.team_id] < 2), None)
        if team is None:
            continue
        serving[team.team_id] += 1
        out.append(Assignment(team_id=team.team_id, village_code=code, district=district[code], score=0,
                              reason=ASSIGNED, assigned_on=RESCREENING + timedelta(days=10),
                              entered_on=RESCREENING + timedelta(days=20)))
    return out


def _milestone_before(m: Milestone, day: date) -> Milestone:
    reports = tuple(d for d in m.reports if d < day)
    return replace(m, reports=reports, returned=tuple(d for d in m.returned if d < day)[: max(len(reports) - 1, 0)],
                   verified_on=m.verified_on if m.verified_on and m.verified_on < day else None)


def stop_at(gone: set[str], projects: list[Project], allocations: list[Allocation], disbursements: list[Disbursement]
            ) -> tuple[list[Project], list[Allocation], list[Disbursement]]:
    """A graduated village's plan ends on the day: nothing planned, reported or verified there
    from then on, no allocation made and no request made."""
    kept_projects = []
    for p in projects:
        if p.village_code not in gone:
            kept_projects.append(p)
        elif p.planned_on < GRADUATION:
            kept_projects.append(replace(p, milestones=tuple(_milestone_before(m, GRADUATION) for m in p.milestones)))
    ids = {p.project_id for p in kept_projects}
    kept_allocations = [a for a in allocations if a.village_code not in gone
                        or (a.allocated_on < GRADUATION and a.project_id in ids)]
    allocation_ids = {a.allocation_id for a in kept_allocations}
    village_of = {a.allocation_id: a.village_code for a in allocations}
    kept_disbursements = [d for d in disbursements if d.allocation_id in allocation_ids
                          and (village_of[d.allocation_id] not in gone or d.requested_on < GRADUATION)]
    return kept_projects, kept_allocations, kept_disbursements
