"""帮扶网络 / coverage of the support network: teams, units, first secretaries."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import asyncpg

from services.publicity.domain.asof import AsOf
from services.publicity.queries.figures import Scope, by_key, grouped
from services.publicity.queries.shape import city, per_district


async def _split(conn, name: str, asof: AsOf, key: str, scope: Scope) -> dict[str, dict[str | None, Decimal]]:
    """``{breakdown value: {district: value}}``."""
    out: dict[str, dict[str | None, Decimal]] = defaultdict(dict)
    for r in await grouped(conn, name, asof, (key, "district"), scope):
        out[r[key]][r["district"]] = r["value"]
    return out


async def coverage(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> dict:
    scope = Scope(district=district)
    teams = await _split(conn, "teams", asof, "villages", scope)
    units = await _split(conn, "units", asof, "teams", scope)
    secretaries = await _split(conn, "first_secretaries", asof, "trained", scope)
    stationed_total: dict[str | None, Decimal] = defaultdict(Decimal)
    for key, col in teams.items():
        if key != "0":
            for d, v in col.items():
                stationed_total[d] += v
    columns = {
        "weak_with_team": await by_key(conn, "weak_with_team", asof, "district", scope),
        "weak_without_team": await by_key(conn, "weak_without_team", asof, "district", scope),
        "teams_stationed": stationed_total,
        "teams_with_1_village": teams.get("1", {}),
        "teams_with_2_villages": teams.get("2", {}),
        "teams_with_more_villages": teams.get("3+", {}),
        "teams_without_village": teams.get("0", {}),
        "units_with_1_team": units.get("1", {}),
        "units_with_2_teams": units.get("2", {}),
        "units_with_more_teams": units.get("3+", {}),
        "units_without_team": units.get("0", {}),
        "first_secretaries_trained": secretaries.get("yes", {}),
        "first_secretaries_untrained": secretaries.get("no", {}),
    }
    # City-level units have no district: they count in the city total only.
    return {"city": city(columns), "districts": per_district(columns)}
