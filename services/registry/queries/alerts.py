"""Alerts read from the activity projection (``rg.*``), in the reader's scope."""

from __future__ import annotations

from datetime import date

import asyncpg

from shared.eventstore import UnitOfWork
from shared.identity import Principal, ensure_district

from services.registry.domain.alerts import absent_days, week_of
from services.registry.queries.scope import scope_of


async def absent_cadres(conn: asyncpg.Connection, as_of: date, threshold: int, district: str | None,
                        teams: list[str] | None = None) -> list[dict]:
    """``teams``: only these teams' cadres (None: every team)."""
    rows = await conn.fetch(
        """select m.cadre_id, m.team_id, t.district, min(v.entered_on) as entered_on,
                  (select max(day) from rg.presence p where p.cadre_id = m.cadre_id and p.day <= $1) as last_present
           from rg.memberships m join rg.teams t using (team_id)
           join rg.team_villages v on v.team_id = m.team_id and v.entered_on <= $1
           where ($2::text is null or t.district = $2) and ($3::text[] is null or m.team_id = any($3))
           group by m.cadre_id, m.team_id, t.district order by m.cadre_id""",
        as_of, district, teams,
    )
    leaves: dict[str, list[tuple[date, date]]] = {}
    for r in await conn.fetch("select cadre_id, start_on, end_on from rg.leaves where start_on <= $1", as_of):
        leaves.setdefault(r["cadre_id"], []).append((r["start_on"], r["end_on"]))
    alerts = []
    for r in rows:
        days = absent_days(r["last_present"], r["entered_on"], as_of, leaves.get(r["cadre_id"], ()))
        if days > threshold:
            alerts.append({"cadre_id": r["cadre_id"], "team_id": r["team_id"], "district": r["district"],
                           "last_present": r["last_present"], "absent_days": days})
    return alerts


async def silent_villages(conn: asyncpg.Connection, as_of: date, district: str | None,
                          teams: list[str] | None = None) -> tuple[date, date, list[dict]]:
    monday, sunday = week_of(as_of)
    rows = await conn.fetch(
        """select v.team_id, v.village_code, v.district, v.entered_on from rg.team_villages v
           where v.entered_on <= $2 and ($3::text is null or v.district = $3)
             and ($4::text[] is null or v.team_id = any($4))
             and not exists (select 1 from rg.presence p where p.team_id = v.team_id
                             and p.village_code = v.village_code and p.day between $1 and $2)
           order by v.team_id, v.village_code""",
        monday, sunday, district, teams,
    )
    return monday, sunday, [dict(r) for r in rows]


async def alert_scope(conn: asyncpg.Connection, principal: Principal,
                      district: str | None) -> tuple[str | None, list[str] | None]:
    """The district and teams a reader's alerts cover (``scope.py``): a district-scoped reader
    their district (asking for another is refused), a unit its teams, a first secretary their
    team; the city office and city-level readers any district they ask for."""
    reach = await scope_of(conn, principal)
    if reach.teams is not None:
        return district, list(reach.teams)
    if reach.district is not None:
        district = district or reach.district
        ensure_district(principal, district)
    return district, None


async def alerts(uow: UnitOfWork, principal: Principal, as_of: date, threshold: int, district: str | None) -> dict:
    district, teams = await alert_scope(uow.conn, principal, district)
    absent = await absent_cadres(uow.conn, as_of, threshold, district, teams)
    monday, sunday, silent = await silent_villages(uow.conn, as_of, district, teams)
    return {"as_of": as_of, "absent_days_threshold": threshold, "absent_cadres": absent,
            "week": {"from": monday, "to": sunday}, "villages_without_presence": silent}
