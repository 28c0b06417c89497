"""驻村干部 / cadres: stationed, insured, presence days, leave, allowances — aggregates only."""

from __future__ import annotations

from collections import defaultdict

import asyncpg

from services.publicity.domain.asof import AsOf
from shared.money import yuan
from services.publicity.queries.figures import Scope, by_key, grouped
from services.publicity.queries.shape import city, per_district


async def cadres(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> dict:
    scope = Scope(district=district)
    stationed: dict[str, dict] = {"cadres_stationed": defaultdict(int), "insured": defaultdict(int),
                                  "uninsured": defaultdict(int)}
    for r in await grouped(conn, "cadres_stationed", asof, ("insured", "district"), scope):
        stationed["cadres_stationed"][r["district"]] += int(r["value"])
        stationed["insured" if r["insured"] == "yes" else "uninsured"][r["district"]] += int(r["value"])
    columns = {
        **stationed,
        "presence_days": await by_key(conn, "presence_days", asof, "district", scope),
        "leave_days": await by_key(conn, "leave_days", asof, "district", scope),
    }
    allowances = await by_key(conn, "allowances", asof, "district", scope)
    months = await by_key(conn, "presence_days", asof, "month", scope)
    allowance_months = await by_key(conn, "allowances", asof, "month", scope)
    return {
        "city": city(columns) | {"allowances_yuan": city({"a": allowances}, yuan)["a"]},
        "districts": [row | {"allowances_yuan": yuan(allowances.get(row["code"], 0))} for row in per_district(columns)],
        "months": [{"month": m, "presence_days": int(months.get(m, 0)),
                    "allowances_yuan": yuan(allowance_months.get(m, 0))}
                   for m in sorted(set(months) | set(allowance_months)) if m],
    }
