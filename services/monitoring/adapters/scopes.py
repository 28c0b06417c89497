"""The alert scope a principal's claims give, looked up in monitoring's own read models
(a unit's teams and the villages they serve change; they are read at each use)."""

from __future__ import annotations

import asyncpg

from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Reach, Role

from services.monitoring.domain.access import AlertScope

# Who reads alerts at all: everyone but the public.
READERS = frozenset(Role) - {Role.public}


async def scope_of(conn: asyncpg.Connection, principal: Principal) -> AlertScope:
    """Where ``Reach`` says; closing by hand is the city office's and district officials'."""
    if principal.role not in READERS:
        raise Forbidden(f"无权查看预警 / role {principal.role.value} may not read alerts", field="Authorization",
                        location="header")
    reach, base = Reach.of(principal), {"subject": principal.subject, "actor": principal.actor}
    may_resolve = principal.role in (Role.city_office, Role.district_official)
    if not reach.by_teams:
        return AlertScope(**base, district=reach.district, may_resolve=may_resolve)
    if reach.unit is not None:
        teams = [r["team_id"] for r in await conn.fetch(
            "select team_id from monitoring.team_units where unit_id = $1 order by 1", reach.unit)]
    else:
        teams = [reach.team]
    villages = await conn.fetch("select distinct village_code from monitoring.team_villages "
                                "where team_id = any($1::text[]) order by 1", teams)
    return AlertScope(**base, villages=tuple(r["village_code"] for r in villages), teams=tuple(teams))
