"""The alert scope a principal's claims give, looked up in monitoring's own read models
(a unit's teams and the villages they serve change; they are read at each use)."""

from __future__ import annotations

import asyncpg

from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Role

from services.monitoring.domain.access import AlertScope


async def scope_of(conn: asyncpg.Connection, principal: Principal) -> AlertScope:
    role, base = principal.role, {"subject": principal.subject, "actor": principal.actor}
    if role is Role.city_office:
        return AlertScope(**base, may_resolve=True)
    if role is Role.district_official and principal.district:
        return AlertScope(**base, district=principal.district, may_resolve=True)
    if role in (Role.finance_officer, Role.assessor, Role.inspector):
        return AlertScope(**base, district=principal.district) if principal.district else AlertScope(**base)
    if role is Role.unit and principal.unit:
        teams = [r["team_id"] for r in await conn.fetch(
            "select team_id from monitoring.team_units where unit_id = $1 order by 1", principal.unit)]
    elif role is Role.first_secretary and principal.team:
        teams = [principal.team]
    else:
        raise Forbidden(f"无权查看预警 / role {role.value} may not read alerts", field="Authorization",
                        location="header")
    villages = await conn.fetch("select distinct village_code from monitoring.team_villages "
                                "where team_id = any($1::text[]) order by 1", teams)
    return AlertScope(**base, villages=tuple(r["village_code"] for r in villages), teams=tuple(teams))
