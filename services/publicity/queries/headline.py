"""要览 / the headline figures a leader reads first."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from services.publicity.domain.asof import AsOf
from shared.money import rate_pct, yuan
from services.publicity.queries.figures import Scope, by_key, grouped, total


async def headline(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> dict:
    scope = Scope(district=district)
    teams = await by_key(conn, "teams", asof, "villages", scope)
    income = await grouped(conn, "income_reports", asof, ("year", "at_target"), Scope(district, dims={"weak": "yes"}))
    years = sorted({r["year"] for r in income})
    latest_year = years[-1] if years else None
    at_target = sum(int(r["value"]) for r in income if r["year"] == latest_year and r["at_target"] == "yes")
    reported = sum(int(r["value"]) for r in income if r["year"] == latest_year)
    allocated = await total(conn, "allocated", asof, scope)
    disbursed = await total(conn, "disbursed", asof, scope)
    return {
        "villages_registered": int(await total(conn, "villages_registered", asof, scope)),
        "villages_designated": int(await total(conn, "villages_designated", asof, scope)),
        "teams_stationed": int(sum((v for k, v in teams.items() if k != "0"), Decimal(0))),
        "income_year": int(latest_year) if latest_year else None,
        "villages_at_income_target": at_target,
        "villages_income_reported": reported,
        "allocated_yuan": yuan(allocated),
        "disbursed_yuan": yuan(disbursed),
        "disbursement_rate_pct": rate_pct(disbursed, allocated),
        "weak_without_team": int(await total(conn, "weak_without_team", asof, scope)),
        "low_income_gap": int(await total(conn, "low_income_eligible", asof, Scope(district, dims={"covered": "no"}))),
    }
