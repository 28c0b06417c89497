"""收入核查 / the income checks of a year as of a day: 200,000 yuan reached, and weak
villages' farmers' income growth against the city average."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg

from services.assessment.domain.incomes import growth_pct, reached_target
from shared.money import yuan
from services.assessment.queries.scope import ReadScope

# The standing report per village; a rejected one (the latest row says so) counts as none.
LATEST = """select * from (
                select distinct on (village_code) village_code, district, fen, flagged, rejected from af.incomes
                where measure = $1 and year = $2 and on_day <= $3 order by village_code, position desc) r
            where not rejected"""


async def checks(conn: asyncpg.Connection, year: int, day: date, district: str | None, designated_only: bool,
                 scope: ReadScope) -> dict:
    collective = {r["village_code"]: r for r in await conn.fetch(LATEST, "collective", year, day)}
    farmer = {r["village_code"]: r for r in await conn.fetch(LATEST, "farmer", year, day)}
    farmer_prev = {r["village_code"]: r for r in await conn.fetch(LATEST, "farmer", year - 1, day)}
    weak = {r["village_code"]: r["district"] for r in await conn.fetch(
        """select village_code, district from (
               select distinct on (village_code) village_code, district, designated from af.designations
               where on_day <= $1 order by village_code, position desc) d where designated""", day)}
    city = await conn.fetchrow(
        """select per_capita_fen, growth_pct from af.city_incomes where year = $1 and on_day <= $2
           order by position desc limit 1""", year, day)
    if designated_only:
        codes = weak
    else:
        codes = {c: r["district"] for source in (collective, farmer) for c, r in source.items()}
    codes = {c: d for c, d in codes.items() if (district is None or d == district) and scope.sees(c, d)}
    city_growth = Decimal(city["growth_pct"]) if city else None

    villages, both = [], []
    for code in sorted(codes):
        income = collective.get(code)
        now, before = farmer.get(code), farmer_prev.get(code)
        growth = growth_pct(now["fen"], before["fen"]) if now and before and before["fen"] > 0 else None
        if growth is not None:
            both.append((now["fen"], before["fen"]))
        villages.append({
            "village_code": code, "district": codes[code], "designated": code in weak,
            "collective_income": yuan(income["fen"]) if income else None,
            "reached_200k": reached_target(income["fen"] if income else None),
            "farmer_per_capita_income": yuan(now["fen"]) if now else None,
            "previous_per_capita_income": yuan(before["fen"]) if before else None,
            "growth_pct": str(growth) if growth is not None else None,
            "beats_city": (growth > city_growth) if growth is not None and city_growth is not None else None,
            "flagged": bool((income and income["flagged"]) or (now and now["flagged"])),
        })
    mean_growth = growth_pct(sum(n for n, _ in both), sum(b for _, b in both)) if both else None
    return {
        "year": year, "as_of": day.isoformat(), "district": district,
        "summary": {
            "villages": len(villages),
            "reported": sum(1 for v in villages if v["collective_income"] is not None),
            "reached_200k": sum(1 for v in villages if v["reached_200k"]),
            "not_reached": [v["village_code"] for v in villages if not v["reached_200k"]],
            "city_per_capita_income": yuan(city["per_capita_fen"]) if city else None,
            "city_growth_pct": str(city_growth) if city_growth is not None else None,
            # Growth of the weak villages' mean per-capita income, over villages reporting both years.
            "weak_villages_growth_pct": str(mean_growth) if mean_growth is not None else None,
            "weak_villages_beat_city": (mean_growth > city_growth)
            if mean_growth is not None and city_growth is not None else None,
            "villages_beating_city": sum(1 for v in villages if v["beats_city"]),
        },
        "villages": villages,
    }


async def flagged(conn: asyncpg.Connection, year: int | None, district: str | None,
                  scope: ReadScope) -> list[dict]:
    within, params = scope.where(3, district="district", village="village_code")
    # Awaiting review: the standing report is flagged (a review appends an unflagged row).
    rows = await conn.fetch(
        f"""select * from (
               select distinct on (village_code, year, measure) village_code, district, year, measure, fen, flagged,
                      flag_reason, note, on_day, position from af.incomes
               where ($1::int is null or year = $1) and ($2::text is null or district = $2) and {within}
               order by village_code, year, measure, position desc) r
           where flagged order by year, village_code, position""", year, district, *params)
    return [{"village_code": r["village_code"], "district": r["district"], "year": r["year"],
             "measure": r["measure"], "amount": yuan(r["fen"]), "flag_reason": r["flag_reason"], "note": r["note"],
             "reported_on": r["on_day"].isoformat()} for r in rows]
