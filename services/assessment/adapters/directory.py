"""What commands check against: the service's own copy of the village register
(``directory.villages``) and of the team ↔ village assignments (``af.assignments``)."""

from __future__ import annotations

import asyncpg

from shared.eventstore.errors import DomainError


async def village_district(conn: asyncpg.Connection, code: str, field: str = "village_code") -> str:
    district = await conn.fetchval("select district from directory.villages where code = $1", code)
    if district is None:
        raise DomainError(f"村 {code} 未登记 / village {code} is not registered", field=field)
    return district


async def teams_serving(conn: asyncpg.Connection, village_code: str) -> list[str]:
    """Teams assigned to the village now (their latest assignment event is an assignment)."""
    rows = await conn.fetch(
        """select team_id from (
               select distinct on (team_id) team_id, assigned from af.assignments
               where village_code = $1 order by team_id, position desc) latest
           where assigned order by team_id""", village_code)
    return [r["team_id"] for r in rows]


async def team_district(conn: asyncpg.Connection, team_id: str, field: str = "target_id") -> str:
    row = await conn.fetchrow(
        """select t.district, (select a.district from af.assignments a where a.team_id = t.team_id
                               order by a.position desc limit 1) as served
           from af.teams t where t.team_id = $1""", team_id)
    if row is None:
        raise DomainError(f"工作队 {team_id} 未组建 / team {team_id} is not known", field=field)
    district = row["district"] or row["served"]
    if district is None:
        raise DomainError(f"工作队 {team_id} 尚未对接村 / team {team_id} serves no village yet", field=field)
    return district


async def baseline_fen(conn: asyncpg.Connection, code: str) -> dict[int, int]:
    """The registry's 2018–2020 collective incomes of the village (corrections applied)."""
    rows = await conn.fetch(
        "select distinct on (year) year, fen from af.baselines where village_code = $1 order by year, position desc",
        code)
    return {r["year"]: r["fen"] for r in rows}
