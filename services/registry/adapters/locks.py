"""Advisory locks that order commands across aggregates.

A screening run takes the register lock exclusively; registrations, corrections and
assignments take it shared. So a run reads a register nobody is changing, a correction
lands either before a run (and is in its inputs) or after it, and no team is assigned
to a village that a run is revoking at the same moment.
"""

from __future__ import annotations

import asyncpg

REGISTER_LOCK = 7_200_001


async def register_exclusive(conn: asyncpg.Connection) -> None:
    await conn.execute("select pg_advisory_xact_lock($1)", REGISTER_LOCK)


async def register_shared(conn: asyncpg.Connection) -> None:
    await conn.execute("select pg_advisory_xact_lock_shared($1)", REGISTER_LOCK)
