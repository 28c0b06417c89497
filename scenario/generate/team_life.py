"""Teams change in 2022: a few first secretaries are replaced by a member of their lead unit
(trained at the centralised course of June 2022, as at entry; the one replaced stays on),
and a few cadres leave their teams — their check-ins and leave end when they go."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from scenario.calendar import ASSIGNMENTS
from scenario.model import Assignment, CheckIn, Leave, Team, TeamChange, Training

COURSE_2022 = "2022年驻村第一书记集中培训班"
TRAINED_2022 = date(2022, 6, 17)
REPLACED = "原第一书记工作调动，由牵头单位队员接任 / the first secretary was transferred: a lead-unit member takes over"
REMOVED = "因工作需要调回派出单位 / recalled to the sending unit"


@dataclass(frozen=True)
class TeamLife:
    changes: list[TeamChange]
    trainings: list[Training]


def changes(rng: random.Random, teams: list[Team], unit_of: dict[str, str]) -> TeamLife:
    def lead_members(t: Team) -> list[str]:
        return [m for m in t.member_ids if m != t.first_secretary_id and unit_of[m] == t.lead_unit_id]

    with_deputy = [t for t in teams if lead_members(t)]
    replaced = [t for t in with_deputy if rng.random() < 0.06] or with_deputy[:1]
    out, trainings = [], []
    for t in replaced:
        new = rng.choice(lead_members(t))
        out.append(TeamChange(t.team_id, t.district, date(2022, 7, 1) + timedelta(days=rng.randint(0, 60)),
                              new_secretary=new))
        trainings.append(Training(new, COURSE_2022, TRAINED_2022, True))
    taken = {c.team_id: c.new_secretary for c in out}
    movable = [t for t in teams if len(t.member_ids) >= 3 and [m for m in lead_members(t) if m != taken.get(t.team_id)]]
    for t in [t for t in movable if rng.random() < 0.06] or movable[:1]:
        cadre = rng.choice([m for m in lead_members(t) if m != taken.get(t.team_id)])
        out.append(TeamChange(t.team_id, t.district, date(2022, 10, 1) + timedelta(days=rng.randint(0, 60)),
                              removed=cadre))
    return TeamLife(out, trainings)


def after_removals(life: TeamLife, check_ins: list[CheckIn], leaves: list[Leave], teams: list[Team]
                   ) -> tuple[list[CheckIn], list[Leave]]:
    """A cadre who left (or whose team was dissolved) checks in no more, and asks no leave
    reaching past the day."""
    gone = {c.removed: c.on for c in life.changes if c.removed}
    for c in life.changes:
        if c.dissolved:
            gone |= dict.fromkeys(next(t for t in teams if t.team_id == c.team_id).member_ids, c.on)
    return ([c for c in check_ins if c.cadre_id not in gone or c.day < gone[c.cadre_id]],
            [lv for lv in leaves if lv.cadre_id not in gone or lv.end < gone[lv.cadre_id]])


DISSOLUTION = date(2024, 3, 1)
DISSOLVED = "牵头单位机构改革，工作队撤销 / the lead unit was reorganised: the team is dissolved"
ROTATED = "接续撤销工作队的帮扶村 / takes over a village of the dissolved team"


def dissolve(rng: random.Random, teams: list[Team], assignments: list[Assignment], life: TeamLife
             ) -> tuple[TeamLife, list[Assignment], list[Assignment]]:
    """One team dissolved in March 2024 (one whose people did not change): its villages are
    left, and each goes, a week later, to a team of the district serving one village, which
    rotates to serve it too (entering it a week after). Returns the changes, the assignments
    (the dissolved team's ended) and the rotations' new assignments."""
    serving: dict[str, list[Assignment]] = {t.team_id: [] for t in teams}
    for a in assignments:
        if a.active_on(DISSOLUTION):
            serving[a.team_id].append(a)
    single = {t.district for t in teams if len(serving[t.team_id]) == 1}
    changed = {c.team_id for c in life.changes}
    changed |= {a.team_id for a in assignments if a.left_on or a.assigned_on != ASSIGNMENTS}
    # A team of a district where another team serves one village (to take the freed ones).
    candidates = [t for t in teams if t.team_id not in changed and serving[t.team_id] and t.district in single
                  and any(len(serving[o.team_id]) == 1 for o in teams if o.district == t.district and o is not t)]
    if not candidates:
        return life, assignments, []
    gone = rng.choice(candidates)
    freed = serving[gone.team_id]
    ended = [replace(a, left_on=DISSOLUTION) if a in freed else a for a in assignments]
    takers = [t for t in teams if t.district == gone.district and t is not gone and len(serving[t.team_id]) == 1]
    rotations = [Assignment(team_id=t.team_id, village_code=a.village_code, district=a.district, score=0,
                            reason=ROTATED, assigned_on=DISSOLUTION + timedelta(days=7),
                            entered_on=DISSOLUTION + timedelta(days=14))
                 for a, t in zip(freed, takers)]
    return TeamLife([*life.changes, TeamChange(gone.team_id, gone.district, DISSOLUTION, dissolved=True)],
                    life.trainings), ended, rotations
