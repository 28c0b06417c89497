"""The register: villages with their 2018–2020 incomes, and the screening that designates the bottom N."""

from __future__ import annotations

import math
import random
from datetime import timedelta

from shared.reference.places import DISTRICTS, VillageType
from shared.reference.strengths import FIT

from scenario import calendar
from scenario.model import Screening, Village
from scenario.names import TOWNS, unique_village_names
from scenario.size import ScenarioSize

# Villages per district in Tianjin's nine agriculture-related districts (sums to 3,520).
VILLAGE_WEIGHTS = {"120110": 60, "120111": 140, "120112": 110, "120113": 120, "120114": 630,
                   "120115": 760, "120117": 280, "120118": 380, "120119": 1040}
# Median 2018–2020 collective operating income by district, yuan: suburban districts earn more.
MEDIAN_INCOME = {"120110": 650_000, "120111": 600_000, "120112": 560_000, "120113": 580_000,
                 "120114": 380_000, "120115": 300_000, "120117": 290_000, "120118": 340_000, "120119": 250_000}
SIGMA = 1.0  # log-normal spread: a long right tail of rich villages, a crowded bottom
TYPE_FACTOR = {VillageType.industry: 1.5, VillageType.suburban: 1.4, VillageType.tourism: 1.1,
               VillageType.agriculture: 0.85, VillageType.ecological: 0.8}
_SUBURBAN = {"suburban": 40, "industry": 25, "agriculture": 25, "tourism": 5, "ecological": 5}
TYPE_WEIGHTS = {
    "120110": _SUBURBAN, "120111": _SUBURBAN, "120112": _SUBURBAN, "120113": _SUBURBAN,
    "120114": {"agriculture": 45, "industry": 25, "suburban": 15, "tourism": 8, "ecological": 7},
    "120115": {"agriculture": 60, "industry": 15, "suburban": 8, "tourism": 7, "ecological": 10},
    "120117": {"agriculture": 55, "ecological": 20, "industry": 12, "tourism": 8, "suburban": 5},
    "120118": {"agriculture": 50, "industry": 30, "suburban": 8, "tourism": 5, "ecological": 7},
    "120119": {"agriculture": 35, "tourism": 30, "ecological": 25, "industry": 7, "suburban": 3},
}
RUN_ID = "tj-2021-screening"


def apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split of ``total`` by ``weights`` (deterministic: ties by key)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: math.floor(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _incomes(rng: random.Random, district: str, village_type: VillageType) -> dict[str, int]:
    if rng.random() < 0.015:  # a few villages have no operating income at all in some years
        base = rng.uniform(0, 30_000)
    else:
        base = MEDIAN_INCOME[district] * TYPE_FACTOR[village_type] * math.exp(rng.gauss(0, SIGMA))
    y2018 = base * math.exp(rng.gauss(0, 0.12))
    y2019 = y2018 * max(0.0, 1.03 + rng.gauss(0, 0.08))
    y2020 = y2019 * max(0.0, 0.97 + rng.gauss(0, 0.08))  # 2020: the epidemic year
    return {"2018": round(y2018 * 100), "2019": round(y2019 * 100), "2020": round(y2020 * 100)}


def _needs(rng: random.Random, village_type: VillageType) -> tuple[str, ...]:
    fit = FIT[village_type]
    chosen: list[str] = []
    for _ in range(rng.randint(1, 3)):
        s = pick(rng, {k.value: v for k, v in fit.items() if k.value not in chosen} or {"planning": 1})
        chosen.append(s)
    return tuple(dict.fromkeys(chosen))


def villages(rng: random.Random, size: ScenarioSize) -> list[Village]:
    out = []
    counts = apportion(size.villages, VILLAGE_WEIGHTS)
    for d_index, district in enumerate(DISTRICTS):
        n = counts[district]
        towns = TOWNS[district]
        per_town = apportion(n, {f"{i:03d}": rng.uniform(0.6, 1.4) for i in range(len(towns))})
        names = iter(unique_village_names(rng, n))
        for t_index, town in enumerate(towns):
            for k in range(per_town[f"{t_index:03d}"]):
                village_type = VillageType(pick(rng, TYPE_WEIGHTS[district]))
                out.append(Village(
                    code=f"{district}{100 + t_index:03d}{201 + k:03d}",
                    name=next(names), district=district, town=town, village_type=village_type.value,
                    income_fen=_incomes(rng, district, village_type), needs=_needs(rng, village_type),
                    registered_on=calendar.REGISTRATION + timedelta(days=d_index),
                ))
    return out


def screening(all_villages: list[Village], quota: int) -> Screening:
    """The registry's rule, restated: bottom ``quota`` by 3-year average (floored fen), ties by code."""
    ranked = sorted(all_villages, key=lambda v: (v.average_fen, v.code))
    designated = tuple(v.code for v in ranked[:quota])
    return Screening(run_id=RUN_ID, on=calendar.SCREENING, quota=quota, designated=designated,
                     cutoff_average_fen=ranked[quota - 1].average_fen)
