"""考核 / annual assessment: published scores and grades per team, unit and district."""

from __future__ import annotations

import asyncpg

from shared.reference.places import DISTRICTS

from services.publicity.domain.asof import AsOf
from services.publicity.queries.facts_sql import latest
from services.publicity.queries.figures import Scope, grouped

GRADES = ("优秀", "良好", "一般", "较差")


async def assessment(conn: asyncpg.Connection, asof: AsOf, year: int | None = None) -> dict:
    years = sorted({int(r["year"]) for r in await grouped(conn, "assessment_grades", asof, ("year",))})
    if not years:
        return {"years": [], "year": None, "grades": {}, "results": []}
    year = year if year in years else years[-1]
    rows = await conn.fetch(
        f"""select a.value, u.value->>'name' as unit_name from {latest('assessment')} a
            left join {latest('unit')} u on a.value->>'subject_kind' = 'unit' and u.key = a.value->>'subject_id'
            where (a.value->>'year')::int = $2
            order by a.value->>'subject_kind', (a.value->>'total')::numeric desc, a.value->>'subject_id'""",
        asof.cutoff, year,
    )
    results = []
    for r in rows:
        v = r["value"]
        name = DISTRICTS.get(v["subject_id"]) if v["subject_kind"] == "district" else r["unit_name"]
        results.append({"subject_kind": v["subject_kind"], "subject_id": v["subject_id"], "name": name,
                        "total": v["total"], "grade": v["grade"], "scores": v.get("scores", {})})
    grades = {kind: {g: 0 for g in GRADES} for kind in ("team", "unit", "district")}
    for r in await grouped(conn, "assessment_grades", asof, ("subject_kind", "grade"),
                           Scope(dims={"year": str(year)})):
        grades.setdefault(r["subject_kind"], {})[r["grade"]] = int(r["value"])
    return {"years": years, "year": year, "grades": grades, "results": results}
