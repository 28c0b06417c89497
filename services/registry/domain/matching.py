"""因需对接: propose team–village pairs that maximise fit under the programme's rules.

Fit of a team for a village = Σ over the team's strengths of FIT[village type][strength],
the lead unit's strengths counting double, plus 2 for each strength the village asked for.

The solver is scipy's Hungarian algorithm (``linear_sum_assignment``), per district:
rows are team *slots* — a team without a village has two, the second carrying a penalty
larger than any fit, a team with one village has one penalised slot — and columns are the
designated villages still without a team. The penalty makes every team get its first
village before any team gets a second, so each team serves 1–2 villages and each village
gets at most one team; within that, total fit is maximal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import linear_sum_assignment

from shared.contracts.registry import ProposedPair
from shared.reference.places import VILLAGE_TYPE_LABELS, VillageType
from shared.reference.strengths import FIT, STRENGTH_LABELS, Strength

SOLVER = "scipy.optimize.linear_sum_assignment"
RULE_VERSION = 1
NEED_BONUS = 2
SECOND_SLOT_PENALTY = 10_000  # above any possible fit: first villages before second ones


@dataclass(frozen=True)
class TeamProfile:
    team_id: str
    district: str
    lead_strengths: frozenset[str]
    partner_strengths: frozenset[str]
    villages: int  # already assigned (0 or 1 can take more)


@dataclass(frozen=True)
class VillageProfile:
    code: str
    district: str
    village_type: str
    needs: frozenset[str]


def _label(strength: str) -> str:
    return STRENGTH_LABELS.get(Strength(strength), strength) if strength in Strength.__members__ else strength


@lru_cache(maxsize=65_536)
def _score(lead: frozenset[str], partners: frozenset[str], village_type: str, needs: frozenset[str]) -> int:
    weights = FIT[VillageType(village_type)]
    return (sum(2 * weights.get(Strength(s), 0) for s in lead)
            + sum(weights.get(Strength(s), 0) for s in partners - lead)
            + NEED_BONUS * len(needs & (lead | partners)))


def score(team: TeamProfile, village: VillageProfile) -> int:
    return _score(team.lead_strengths, team.partner_strengths, village.village_type, village.needs)


def fit(team: TeamProfile, village: VillageProfile) -> tuple[int, str]:
    """The score and a one-line reason, Chinese first, English beside."""
    weights = FIT[VillageType(village.village_type)]
    lead = sorted((s for s in team.lead_strengths if weights.get(Strength(s))), key=lambda s: (-weights[Strength(s)], s))
    partners = sorted((s for s in team.partner_strengths - team.lead_strengths if weights.get(Strength(s))),
                      key=lambda s: (-weights[Strength(s)], s))
    needs = sorted(village.needs & (team.lead_strengths | team.partner_strengths))
    score = sum(2 * weights[Strength(s)] for s in lead) + sum(weights[Strength(s)] for s in partners) + NEED_BONUS * len(needs)
    zh, en = [f"村类型{VILLAGE_TYPE_LABELS[VillageType(village.village_type)]}"], [f"type {village.village_type}"]
    if lead:
        zh.append("牵头单位优势" + "、".join(f"{_label(s)}+{2 * weights[Strength(s)]}" for s in lead))
        en.append("lead strengths " + ", ".join(f"{s}+{2 * weights[Strength(s)]}" for s in lead))
    if partners:
        zh.append("协作单位优势" + "、".join(f"{_label(s)}+{weights[Strength(s)]}" for s in partners))
        en.append("partner strengths " + ", ".join(f"{s}+{weights[Strength(s)]}" for s in partners))
    if needs:
        zh.append("对口需求" + "、".join(f"{_label(s)}+{NEED_BONUS}" for s in needs))
        en.append("stated needs " + ", ".join(f"{s}+{NEED_BONUS}" for s in needs))
    if not (lead or partners or needs):
        zh.append("无直接对口优势")
        en.append("no direct match")
    return score, f"{'；'.join(zh)}；契合度 {score} / {'; '.join(en)}; fit {score}"


@dataclass(frozen=True)
class Matching:
    pairs: list[ProposedPair]
    unmatched_villages: list[str]
    idle_teams: list[str]


def propose(teams: Iterable[TeamProfile], villages: Iterable[VillageProfile]) -> Matching:
    teams = sorted(teams, key=lambda t: t.team_id)
    villages = sorted(villages, key=lambda v: v.code)
    pairs: list[ProposedPair] = []
    unmatched: list[str] = []
    idle: list[str] = []
    for district in sorted({t.district for t in teams} | {v.district for v in villages}):
        d_teams = [t for t in teams if t.district == district and t.villages < 2]
        d_villages = [v for v in villages if v.district == district]
        got = _solve(d_teams, d_villages)
        pairs.extend(got)
        matched_v = {p.village_code for p in got}
        matched_t = {p.team_id for p in got}
        unmatched.extend(v.code for v in d_villages if v.code not in matched_v)
        idle.extend(t.team_id for t in d_teams if t.villages == 0 and t.team_id not in matched_t)
    return Matching(pairs, unmatched, idle)


def _solve(teams: Sequence[TeamProfile], villages: Sequence[VillageProfile]) -> list[ProposedPair]:
    if not teams or not villages:
        return []
    slots = [(t, t.villages > 0) for t in teams] + [(t, True) for t in teams if t.villages == 0]
    cost = np.array(
        [[-score(t, v) + (SECOND_SLOT_PENALTY if second else 0) for v in villages] for t, second in slots],
        dtype=np.int64,
    )
    rows, cols = linear_sum_assignment(cost)
    pairs = []
    for r, c in zip(rows, cols, strict=True):
        team, second = slots[r]
        points, reason = fit(team, villages[c])
        pairs.append(ProposedPair(team_id=team.team_id, village_code=villages[c].code, district=team.district,
                                  score=points, second_village=second, reason=reason))
    return sorted(pairs, key=lambda p: (p.team_id, p.village_code))
