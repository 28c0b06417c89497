"""The support network: units, cadres, work teams (lead + partner units), training, and
need-based assignment of teams to the designated villages of their district.

Rules the plan obeys (and the registry enforces): a unit is in 1–2 teams; a team serves
1–2 villages of its own district; each designated village has exactly one team; a cadre
is in one team and belongs to one of its units; the first secretary is a member from the
lead unit and completed the centralised training before the team enters its villages.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from scipy.optimize import linear_sum_assignment

from shared.reference.places import DISTRICTS, VILLAGE_TYPE_LABELS, VillageType
from shared.reference.strengths import FIT, STRENGTH_LABELS, Strength

from scenario import calendar
from scenario.generate.villages import apportion
from scenario.model import Assignment, Cadre, Team, Training, Unit, Village
from scenario.names import person_name
from scenario.size import ScenarioSize
from scenario.unit_names import city_units, district_units, strengths

MAX_PARTNERS = 2
MAX_TEAM = 6
SECRETARY_TITLES = ("副处长", "四级调研员", "科长", "一级主任科员", "副主任")
MEMBER_TITLES = ("二级主任科员", "三级主任科员", "副科长", "科员", "干部", "专业技术人员")
COURSES = ("2021年驻村第一书记集中培训班（第一期）", "2021年驻村第一书记集中培训班（第二期）")
MEMBER_COURSE = "驻村工作队员岗前培训"


@dataclass(frozen=True)
class Network:
    units: list[Unit]
    cadres: list[Cadre]
    trainings: list[Training]
    teams: list[Team]
    assignments: list[Assignment]


def teams_per_district(designated: dict[str, int], teams: int) -> dict[str, int]:
    """Each district needs between ⌈d/2⌉ and d teams for its d villages (a team serves 1–2)."""
    lo = {k: math.ceil(d / 2) for k, d in designated.items()}
    hi = dict(designated)
    if not sum(lo.values()) <= teams <= sum(hi.values()):
        raise ValueError(
            f"{teams} 个工作队无法按区覆盖认定村：本种子需 {sum(lo.values())}–{sum(hi.values())} 个 / "
            f"{teams} teams cannot serve the designated villages district by district; "
            f"this seed needs {sum(lo.values())}–{sum(hi.values())}"
        )
    spare = {k: hi[k] - lo[k] for k in lo}
    extra = apportion(teams - sum(lo.values()), spare) if sum(spare.values()) else dict.fromkeys(lo, 0)
    return {k: lo[k] + extra[k] for k in lo}


def fit_score(village: Village, team_strengths: set[str]) -> int:
    fit = FIT[VillageType(village.village_type)]
    return sum(fit.get(Strength(s), 0) for s in team_strengths) + 2 * len(team_strengths & set(village.needs))


def network(rng: random.Random, size: ScenarioSize, designated: list[Village]) -> Network:
    by_district: dict[str, list[Village]] = defaultdict(list)
    for v in designated:
        by_district[v.district].append(v)
    t_k = teams_per_district({d: len(by_district.get(d, [])) for d in DISTRICTS}, size.teams)
    n_city = round(size.units * size.city_unit_share)
    n_dist = apportion(size.units - n_city, t_k)

    units: list[Unit] = []

    def add_unit(name: str, primary: str, level: str, district: str | None) -> Unit:
        unit = Unit(unit_id=f"tj-u{len(units) + 1:04d}", name=name, level=level, district=district,
                    strengths=strengths(rng, primary), registered_on=calendar.UNITS)
        units.append(unit)
        return unit

    names = city_units(rng)
    city = [add_unit(*next(names), "city", None) for _ in range(n_city)]
    local = {d: [add_unit(*n, "district", d) for n, _ in zip(district_units(rng, DISTRICTS[d]), range(n_dist[d]))]
             for d in DISTRICTS}

    # Teams and their lead units: a district's own units lead first, city units lead the rest.
    team_ids = iter(f"tj-t{i + 1:04d}" for i in range(size.teams))
    slots: list[dict] = []
    partners_pool: list[Unit] = []
    city_pool = list(city)
    rng.shuffle(city_pool)
    city_leads: list[Unit] = []
    for d in DISTRICTS:
        own = list(local[d])
        rng.shuffle(own)
        for i in range(t_k[d]):
            slots.append({"team_id": next(team_ids), "district": d, "lead": own[i] if i < len(own) else None,
                          "partners": []})
        partners_pool += own[t_k[d]:]
    need = [s for s in slots if s["lead"] is None]
    for i, slot in enumerate(need):
        # With fewer city units than teams to lead, some lead two (a unit sends 1–2 teams).
        slot["lead"] = city_pool[i % len(city_pool)]
        city_leads.append(slot["lead"])
    partners_pool += city_pool[len(need):]
    memberships: dict[str, int] = defaultdict(int)
    for s in slots:
        memberships[s["lead"].unit_id] += 1

    def join(unit: Unit) -> bool:
        options = [s for s in slots if (unit.level == "city" or s["district"] == unit.district)
                   and s["lead"].unit_id != unit.unit_id and unit not in s["partners"]]
        if not options:
            return False
        fewest = min(len(s["partners"]) for s in options)
        slot = rng.choice([s for s in options if len(s["partners"]) == fewest])
        slot["partners"].append(unit)
        memberships[unit.unit_id] += 1
        return True

    for unit in partners_pool:
        if not join(unit):
            raise ValueError(f"单位 {unit.name} 无队可加入 / unit {unit.name} has no team to join")
        if rng.random() < 0.15:
            join(unit)

    # Cadres: the first secretary from the lead unit, one from each partner, the rest spread evenly.
    sizes = {s["team_id"]: 1 + len(s["partners"]) for s in slots}
    spare = size.cadres - sum(sizes.values())
    if spare < 0:
        raise ValueError("干部数少于各队所需 / fewer cadres than the teams need")
    order = sorted(sizes, key=lambda t: rng.random())
    while spare:
        for team_id in sorted(order, key=lambda t: sizes[t]):
            if spare and sizes[team_id] < MAX_TEAM:
                sizes[team_id] += 1
                spare -= 1
            break
    cadres: list[Cadre] = []
    trainings: list[Training] = []
    teams: list[Team] = []

    def add_cadre(unit: Unit, secretary: bool) -> Cadre:
        cadre = Cadre(cadre_id=f"tj-c{len(cadres) + 1:05d}", unit_id=unit.unit_id, name=person_name(rng),
                      title=rng.choice(SECRETARY_TITLES if secretary else MEMBER_TITLES),
                      registered_on=calendar.CADRES + timedelta(days=rng.randint(0, 4)))
        cadres.append(cadre)
        return cadre

    for s in slots:
        lead, partners = s["lead"], s["partners"]
        secretary = add_cadre(lead, True)
        members = [secretary] + [add_cadre(p, False) for p in partners]
        while len(members) < sizes[s["team_id"]]:
            unit = lead if not partners or rng.random() < 0.7 else rng.choice(partners)
            members.append(add_cadre(unit, False))
        course = 0 if rng.random() < 0.6 else 1
        trainings.append(Training(secretary.cadre_id, COURSES[course], calendar.TRAINING[course], True))
        for m in members[1:]:
            if rng.random() < 0.4:
                trainings.append(Training(m.cadre_id, MEMBER_COURSE, calendar.TRAINING[1] + timedelta(days=3), False))
        teams.append(Team(team_id=s["team_id"], district=s["district"], lead_unit_id=lead.unit_id,
                          partner_unit_ids=tuple(p.unit_id for p in partners),
                          member_ids=tuple(m.cadre_id for m in members), first_secretary_id=secretary.cadre_id,
                          formed_on=calendar.TEAMS))

    unit_by_id = {u.unit_id: u for u in units}
    assignments: list[Assignment] = []
    for d in DISTRICTS:
        d_teams = [t for t in teams if t.district == d]
        if d_teams:
            assignments += _match(rng, by_district[d], d_teams, unit_by_id)
    return Network(units, cadres, trainings, teams, assignments)


def _team_strengths(team: Team, unit_by_id: dict[str, Unit]) -> set[str]:
    return {s for u in (team.lead_unit_id, *team.partner_unit_ids) for s in unit_by_id[u].strengths}


def _match(rng: random.Random, villages: list[Village], teams: list[Team], unit_by_id: dict[str, Unit]) -> list[Assignment]:
    """Maximum-fit matching in two rounds: every team gets one village, then the remaining
    villages go to distinct teams (so no team has more than two)."""
    strengths_of = {t.team_id: _team_strengths(t, unit_by_id) for t in teams}
    score = np.array([[fit_score(v, strengths_of[t.team_id]) for t in teams] for v in villages])
    rows, cols = linear_sum_assignment(score, maximize=True)
    pairs = list(zip(rows.tolist(), cols.tolist()))
    rest = sorted(set(range(len(villages))) - set(rows.tolist()))
    if rest:
        r2, c2 = linear_sum_assignment(score[rest, :], maximize=True)
        pairs += [(rest[i], j) for i, j in zip(r2.tolist(), c2.tolist())]
    out = []
    for vi, ti in sorted(pairs):
        v, t = villages[vi], teams[ti]
        common = sorted(strengths_of[t.team_id] & set(v.needs))
        reason = (f"因需对接：{VILLAGE_TYPE_LABELS[VillageType(v.village_type)]}，需求"
                  f"{'、'.join(STRENGTH_LABELS[Strength(n)] for n in v.needs)}；队伍优势"
                  f"{'、'.join(STRENGTH_LABELS[Strength(s)] for s in sorted(strengths_of[t.team_id]))}；"
                  f"契合度 {int(score[vi, ti])}" + (f"（需求匹配：{'、'.join(STRENGTH_LABELS[Strength(c)] for c in common)}）" if common else ""))
        out.append(Assignment(team_id=t.team_id, village_code=v.code, district=v.district, score=int(score[vi, ti]),
                              reason=reason, assigned_on=calendar.ASSIGNMENTS,
                              entered_on=calendar.ENTRY + timedelta(days=rng.randint(0, 4))))
    return out
