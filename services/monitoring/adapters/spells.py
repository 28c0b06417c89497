"""The spells ``village.without_team`` is judged from (migration 0006): each village's
designations and each team's service of it, in the order of their own streams."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from services.monitoring.domain.spells import Spell


async def begin_designation(conn: asyncpg.Connection, code: str, on: date, by: UUID) -> None:
    """Designated again while designated (another screening run): the spell goes on."""
    await conn.execute("""insert into monitoring.designation_spells (village_code, start, started_by)
                          values ($1, $2, $3) on conflict do nothing""", code, on, by)


async def end_designation(conn: asyncpg.Connection, code: str, on: date, by: UUID) -> None:
    await conn.execute("""update monitoring.designation_spells set "end" = $2, ended_by = $3
                          where village_code = $1 and ended_by is null""", code, on, by)


async def begin_service(conn: asyncpg.Connection, team_id: str, code: str, on: date, by: UUID) -> None:
    """A rotation says a team joined twice (its TeamAssigned, then TeamRotated): one spell."""
    await conn.execute("""insert into monitoring.service_spells (team_id, village_code, start, started_by)
                          values ($1, $2, $3, $4) on conflict do nothing""", team_id, code, on, by)


async def end_service(conn: asyncpg.Connection, team_id: str, code: str, on: date, by: UUID) -> None:
    await conn.execute("""update monitoring.service_spells set "end" = $3, ended_by = $4
                          where team_id = $1 and village_code = $2 and ended_by is null""", team_id, code, on, by)


def _spell(r: asyncpg.Record) -> Spell:
    return Spell(r["start"], r["end"], r["started_by"], r["ended_by"])


async def of_village(conn: asyncpg.Connection, code: str) -> tuple[list[Spell], list[Spell]]:
    """The village's designations, and every team's service of it."""
    designated = await conn.fetch("""select start, "end", started_by, ended_by from monitoring.designation_spells
                                     where village_code = $1 order by start, started_by""", code)
    served = await conn.fetch("""select start, "end", started_by, ended_by from monitoring.service_spells
                                 where village_code = $1 order by start, started_by""", code)
    return [_spell(r) for r in designated], [_spell(r) for r in served]
