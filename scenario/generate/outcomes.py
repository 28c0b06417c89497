"""How the weak villages fare: collective operating income each year (most, not all, reach
200,000 yuan), farmers' per-capita income against the city's growth, and low-income
protection ("cover all who qualify") with a few gaps left open."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from shared.reference.tasks import INCOME_TARGET_FEN

from scenario import calendar
from scenario.model import CityGrowth, Cover, FarmerIncome, IncomeReport, LowIncomePerson, Village

# 天津市农村居民人均可支配收入（元）与增速: 2020 base, then the three programme years.
CITY_PER_CAPITA = {2020: 25_691, 2021: 27_955, 2022: 29_018, 2023: 30_851}
NOTES = ("新建光伏电站发电收益", "集体物业用房出租收入增加", "设施农业大棚租赁收入", "乡村民宿运营分红",
         "农产品冷库仓储服务收入", "土地股份合作分红")


def city_growth() -> list[CityGrowth]:
    out = []
    for year in calendar.YEARS:
        pct = Decimal(CITY_PER_CAPITA[year] - CITY_PER_CAPITA[year - 1]) * 100 / CITY_PER_CAPITA[year - 1]
        out.append(CityGrowth(year, CITY_PER_CAPITA[year] * 100, pct.quantize(Decimal("0.1")), date(year + 1, 1, 25)))
    return out


def incomes(rng: random.Random, designated: list[Village]) -> list[IncomeReport]:
    """The year each village first reaches the target: 2021 35%, 2022 35%, 2023 24%, not yet 6%."""
    out = []
    for v in designated:
        reach = rng.choices((2021, 2022, 2023, None), weights=(35, 35, 24, 6))[0]
        previous = max(v.income_fen["2020"], 1_000_00)
        for year in calendar.YEARS:
            if reach is not None and year >= reach:
                value = max(previous, int(INCOME_TARGET_FEN * rng.uniform(1.0, 1.6)))
            else:
                value = max(previous, int(INCOME_TARGET_FEN * rng.uniform(0.55, 0.97)))
                value = min(value, INCOME_TARGET_FEN - 100)
            note = rng.choice(NOTES) if value > previous * 1.5 else None
            out.append(IncomeReport(v.code, v.district, year, value,
                                    date(year + 1, 1, 10) + timedelta(days=rng.randint(0, 10)), note))
            previous = value
    return out


def farmer_incomes(rng: random.Random, designated: list[Village]) -> list[FarmerIncome]:
    """Most weak villages' farmers gain faster than the city average; some do not."""
    out = []
    for v in designated:
        value = CITY_PER_CAPITA[2020] * rng.uniform(0.72, 0.95)
        out.append(FarmerIncome(v.code, v.district, 2020, int(value) * 100, date(2021, 6, 20)))
        ahead = rng.random() < 0.9
        for year in calendar.YEARS:
            city = CITY_PER_CAPITA[year] / CITY_PER_CAPITA[year - 1] - 1
            value *= 1 + city + (rng.uniform(0.005, 0.04) if ahead else rng.uniform(-0.02, -0.002))
            out.append(FarmerIncome(v.code, v.district, year, int(value) * 100,
                                    date(year + 1, 1, 12) + timedelta(days=rng.randint(0, 10))))
    return out


def persons(rng: random.Random, designated: list[Village], mean_per_village: float) -> list[LowIncomePerson]:
    out = []
    for v in designated:
        n = sum(rng.random() < mean_per_village / 10 for _ in range(10))
        household = 0
        for i in range(n):
            if i == 0 or rng.random() < 0.5:
                household += 1
            registered = date(2021, 7, 1) + timedelta(days=rng.randint(0, 30) if rng.random() < 0.8 else rng.randint(30, 800))
            covers = [("medical_insurance", True)]
            if rng.random() < 0.3:
                covers.append(("education_aid", True))
            if rng.random() < 0.12:
                covers.append(("housing_renovation", True))
            made = []
            for cover, _ in covers:
                eligible_on = registered + timedelta(days=rng.randint(1, 10))
                roll = rng.random()
                covered = None if roll < 0.04 else eligible_on + timedelta(
                    days=rng.randint(5, 60) if roll > 0.1 else rng.randint(200, 500))
                if covered and covered > calendar.END:
                    covered = None
                made.append(Cover(cover, eligible_on, covered))
            out.append(LowIncomePerson(person_id=f"tj-lp-{v.code}-{i + 1:02d}",
                                       household_id=f"tj-hh-{v.code}-{household:02d}", village_code=v.code,
                                       district=v.district, registered_on=registered, covers=tuple(made)))
    return [p for p in out if p.registered_on <= calendar.END]
