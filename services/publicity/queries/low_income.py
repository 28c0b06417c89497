"""低收入人口保障 / low-income protection: eligible against covered, by kind of cover; the gap list.

Counts only: no person, no household is ever named or numbered here.
"""

from __future__ import annotations

from collections import defaultdict

import asyncpg

from services.publicity.domain.asof import AsOf
from services.publicity.queries.figures import Scope, grouped
from services.publicity.queries.shape import city, per_district

COVERS = {"medical_insurance": "医疗保险", "education_aid": "教育资助", "housing_renovation": "危房改造"}


async def low_income(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> dict:
    rows = await grouped(conn, "low_income_eligible", asof, ("cover", "covered", "district"), Scope(district))
    columns: dict[str, dict] = {c: defaultdict(int) for c in ("eligible", "covered", "gap")}
    by_cover: dict[str, dict] = defaultdict(lambda: {"eligible": 0, "covered": 0, "gap": 0})
    for r in rows:
        n = int(r["value"])
        columns["eligible"][r["district"]] += n
        by_cover[r["cover"]]["eligible"] += n
        bucket = "covered" if r["covered"] == "yes" else "gap"
        columns[bucket][r["district"]] += n
        by_cover[r["cover"]][bucket] += n
    covers = [{"cover": c, "name": name, **by_cover.get(c, {"eligible": 0, "covered": 0, "gap": 0})}
              for c, name in COVERS.items()]
    return {"city": city(columns), "districts": per_district(columns), "covers": covers}


async def gaps(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> list[dict]:
    """应保未保 by village and cover: how many, never who."""
    rows = await grouped(conn, "low_income_eligible", asof, ("village", "cover"),
                         Scope(district=district, dims={"covered": "no"}))
    by_village: dict[str, dict] = defaultdict(dict)
    for r in rows:
        by_village[r["village"]][r["cover"]] = int(r["value"])
    names = {r["code"]: (r["name"], r["district"]) for r in await conn.fetch(
        "select code, name, district from stats.villages where code = any($1::text[])", list(by_village))}
    return [{"village": code, "name": names.get(code, (None, None))[0],
             "district": names.get(code, (None, code[:6]))[1],
             "gap": sum(covers.values()), "by_cover": {c: covers.get(c, 0) for c in COVERS}}
            for code, covers in sorted(by_village.items())]
