"""A village as this service knows it: its copy of the register entry and the teams serving it."""

from __future__ import annotations

import asyncpg

from shared.eventstore import NotFound

from services.assessment.adapters.directory import PgDirectory


async def village(conn: asyncpg.Connection, code: str) -> dict:
    row = await conn.fetchrow("select code, name, district, designated from directory.villages where code = $1", code)
    if row is None:
        raise NotFound(f"村 {code} 未登记（或尚未同步）/ village {code} is not registered (or not yet heard of)",
                       field="code")
    return {**dict(row), "teams": await PgDirectory(conn).teams_serving(code)}
