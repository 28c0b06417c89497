"""收入 / income: villages at or above 200,000 yuan per year; farmers' income growth against the city."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import asyncpg

from shared.reference.tasks import INCOME_TARGET_FEN

from services.publicity.domain.asof import AsOf
from shared.money import yuan
from services.publicity.queries.facts_sql import STANDS, latest
from services.publicity.queries.figures import Scope, grouped
from services.publicity.queries.shape import city, per_district


async def collective(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> list[dict]:
    """Per year: weak villages reporting, at or above the target, below it; and all villages likewise."""
    rows = await grouped(conn, "income_reports", asof, ("year", "weak", "at_target", "district"), Scope(district))
    years = sorted({r["year"] for r in rows})
    out = []
    for year in years:
        columns: dict[str, dict] = defaultdict(lambda: defaultdict(Decimal))
        for r in (r for r in rows if r["year"] == year):
            prefix = "weak" if r["weak"] == "yes" else "other"
            columns[f"{prefix}_reported"][r["district"]] += r["value"]
            columns[f"{prefix}_at_target" if r["at_target"] == "yes" else f"{prefix}_below_target"][r["district"]] \
                += r["value"]
        names = ("weak_reported", "weak_at_target", "weak_below_target", "other_reported", "other_at_target")
        columns = {n: columns[n] for n in names}
        out.append({"year": int(year), "city": city(columns), "districts": per_district(columns)})
    return out


def _growth(now: Decimal, before: Decimal) -> str | None:
    if not before:
        return None
    return str(((now - before) * 100 / before).quantize(Decimal("0.01")))


async def farmer_growth(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> list[dict]:
    """Weak villages' per-capita income growth (villages reporting both years) against the city's."""
    rows = await conn.fetch(
        f"""select f.village, (f.value->>'year')::int as year, (f.value->>'per_capita_fen')::bigint as fen
            from {latest('farmer_income', STANDS)} f
            join {latest('designation', "(value->>'designated')::boolean")} d on d.village = f.village
            where ($2::text is null or f.district = $2)""",
        asof.cutoff, district,
    )
    by_village: dict[str, dict[int, int]] = defaultdict(dict)
    for r in rows:
        by_village[r["village"]][r["year"]] = r["fen"]
    city_rows = await conn.fetch(
        f"select (c.value->>'year')::int as year, c.value from {latest('city_income')} c", asof.cutoff
    )
    city_growth = {r["year"]: r["value"] for r in city_rows}
    years = sorted({y for v in by_village.values() for y in v} | set(city_growth))
    out = []
    for year in years:
        pairs = [(v[year], v[year - 1]) for v in by_village.values() if year in v and year - 1 in v]
        now, before = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        weak = _growth(Decimal(now), Decimal(before))
        c = city_growth.get(year)
        out.append({
            "year": year,
            "weak_villages_compared": len(pairs),
            "weak_average_yuan": yuan(now // len(pairs)) if pairs else None,
            "weak_growth_pct": weak,
            "city_per_capita_yuan": yuan(c["per_capita_fen"]) if c and c.get("per_capita_fen") is not None else None,
            "city_growth_pct": c.get("growth_pct") if c else None,
            "faster_than_city": (Decimal(weak) > Decimal(c["growth_pct"])) if weak and c and c.get("growth_pct")
            not in (None, "None") else None,
        })
    return out


async def income(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> dict:
    return {
        "target_yuan": yuan(INCOME_TARGET_FEN),
        "collective": await collective(conn, asof, district),
        "farmers": await farmer_growth(conn, asof, district),
    }
