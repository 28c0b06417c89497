"""认定 / designation: villages per district, the latest screening's ranked list and cut-off."""

from __future__ import annotations

import asyncpg

from services.publicity.domain.asof import AsOf
from shared.money import yuan
from services.publicity.queries.facts_sql import latest
from services.publicity.queries.figures import Scope, by_key
from services.publicity.queries.shape import city, per_district


async def latest_screening(conn: asyncpg.Connection, asof: AsOf) -> dict | None:
    row = await conn.fetchrow(
        f"""select s.key as run_id, s.value, s.source, s.position, s.event_id, s.at
            from {latest('screening')} s order by s.at desc, s.position desc limit 1""",
        asof.cutoff,
    )
    if row is None:
        return None
    v = row["value"]
    return {
        "run_id": row["run_id"], "quota": v.get("quota"), "considered": v.get("considered"),
        "designated": v.get("designated"), "added": v.get("added"), "removed": v.get("removed"),
        "rule": v.get("rule"), "rule_version": v.get("rule_version"), "tie_break": v.get("tie_break"),
        "cutoff_average_yuan": yuan(v["cutoff_average_fen"]) if v.get("cutoff_average_fen") is not None else None,
        "completed_at": row["at"].isoformat(),
        "event": {"source": row["source"], "position": row["position"], "event_id": str(row["event_id"])},
    }


async def summary(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> dict:
    scope = Scope(district=district)
    columns = {
        "registered": await by_key(conn, "villages_registered", asof, "district", scope),
        "designated": await by_key(conn, "villages_designated", asof, "district", scope),
    }
    return {"city": city(columns), "districts": per_district(columns),
            "screening": await latest_screening(conn, asof)}


async def ranked(
    conn: asyncpg.Connection, asof: AsOf, *, district: str | None, designated_only: bool, limit: int, offset: int
) -> dict:
    run = await latest_screening(conn, asof)
    if run is None:
        return {"screening": None, "total": 0, "items": []}
    args = [run["run_id"], district, designated_only]
    where = "r.run_id = $1 and ($2::text is null or r.district = $2) and (not $3 or r.designated)"
    total = await conn.fetchval(f"select count(*) from stats.ranked r where {where}", *args)
    rows = await conn.fetch(
        f"""select r.rank, r.code, v.name, r.district, v.town, r.average_fen, r.income_fen, r.designated
            from stats.ranked r left join stats.villages v on v.code = r.code
            where {where} order by r.rank limit $4 offset $5""",
        *args, limit, offset,
    )
    items = [{
        "rank": r["rank"], "code": r["code"], "name": r["name"], "district": r["district"], "town": r["town"],
        "average_yuan": yuan(r["average_fen"]),
        "income_yuan": {year: yuan(fen) for year, fen in sorted(r["income_fen"].items())},
        "designated": r["designated"],
    } for r in rows]
    return {"screening": run, "total": total, "items": items}


async def registered_per_district(conn: asyncpg.Connection, cutoff, known: int | None = None) -> dict[str, int]:
    """Villages registered per district, before ``cutoff`` (None: all of them), and up to registry's
    log position ``known`` (None: all applied)."""
    rows = await conn.fetch(
        """select district, count(*) as villages from stats.villages
           where ($1::timestamptz is null or registered_at < $1) and ($2::bigint is null or position <= $2)
           group by district""", cutoff, known)
    return {r["district"]: r["villages"] for r in rows}
