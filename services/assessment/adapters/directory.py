"""What commands check against: the service's own copy of the village register
(``directory.villages``) and of the team ↔ village assignments (``af.assignments``)."""

from __future__ import annotations

import asyncpg

from shared.eventstore.errors import DomainError


class PgDirectory:
    """Over one command's connection: what handlers reach as ``uow.adapter(PgDirectory)``
    (``adapters/memory.py`` is its in-memory twin), reads and routes as ``PgDirectory(conn)``."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def village_district(self, code: str, field: str = "village_code") -> str:
        district = await self.conn.fetchval("select district from directory.villages where code = $1", code)
        if district is None:
            raise DomainError(f"村 {code} 未登记 / village {code} is not registered", field=field)
        return district

    async def teams_serving(self, village_code: str) -> list[str]:
        """Teams assigned to the village now (their latest assignment event is an assignment)."""
        rows = await self.conn.fetch(
            """select team_id from (
                   select distinct on (team_id) team_id, assigned from af.assignments
                   where village_code = $1 order by team_id, position desc) latest
               where assigned order by team_id""", village_code)
        return [r["team_id"] for r in rows]

    async def team_district(self, team_id: str, field: str = "target_id") -> str:
        row = await self.conn.fetchrow(
            """select t.district, (select a.district from af.assignments a where a.team_id = t.team_id
                                   order by a.position desc limit 1) as served
               from af.teams t where t.team_id = $1""", team_id)
        if row is None:
            raise DomainError(f"工作队 {team_id} 未组建 / team {team_id} is not known", field=field)
        district = row["district"] or row["served"]
        if district is None:
            raise DomainError(f"工作队 {team_id} 尚未对接村 / team {team_id} serves no village yet", field=field)
        return district

    async def baseline_fen(self, code: str) -> dict[int, int]:
        """The registry's 2018–2020 collective incomes of the village (corrections applied)."""
        rows = await self.conn.fetch(
            "select distinct on (year) year, fen from af.baselines where village_code = $1 order by year, position desc",
            code)
        return {r["year"]: r["fen"] for r in rows}

    async def teams_of_unit(self, unit_id: str) -> list[str]:
        """The teams a unit leads (partner units are not recorded here)."""
        rows = await self.conn.fetch("select team_id from af.teams where lead_unit_id = $1 order by team_id", unit_id)
        return [r["team_id"] for r in rows]

    async def villages_served(self, teams: list[str]) -> list[str]:
        """The villages these teams are assigned to now: each pair's latest assignment by business
        day, as the year's facts read them (a back-dated one takes its place by its day)."""
        rows = await self.conn.fetch(
            """select distinct village_code from (
                   select distinct on (team_id, village_code) village_code, assigned from af.assignments
                   where team_id = any($1::text[]) order by team_id, village_code, on_day desc, position desc) latest
               where assigned order by village_code""", teams)
        return [r["village_code"] for r in rows]

    async def subject_districts(self, kind: str, subject_id: str) -> set[str | None]:
        """The districts an assessment subject works in (``None``: a team not yet placed); 422 on
        ``subject_id`` for a subject the register copy does not know, which no score would carry."""
        if kind == "district":
            known = await self.conn.fetchval("select exists(select 1 from directory.villages where district = $1)", subject_id)
            found = {subject_id} if known else set()
        else:
            rows = await self.conn.fetch(
                f"""select coalesce(t.district, (select a.district from af.assignments a where a.team_id = t.team_id
                                                 order by a.position desc limit 1)) as district
                    from af.teams t where t.{'team_id' if kind == 'team' else 'lead_unit_id'} = $1""", subject_id)
            found = {r["district"] for r in rows}
        if not found:
            what = {"team": ("工作队", "team"), "unit": ("牵头扶持单位", "lead unit"), "district": ("区", "district")}[kind]
            raise DomainError(f"未知的{what[0]} {subject_id}（须为已登记的{what[0]}）/ unknown {what[1]} {subject_id}: marks are "
                              f"given only to a known {what[1]}", field="subject_id")
        return found
