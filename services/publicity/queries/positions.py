"""Which log positions the statistics were computed from, and how far each projection is behind."""

from __future__ import annotations

import asyncpg

SOURCES = ("registry", "funding", "assessment")


async def log_positions(conn: asyncpg.Connection, known: tuple[tuple[str, int], ...] | None = None) -> dict[str, int]:
    """Per source service, the highest global position the statistics have applied — or, for an
    answer as known at given positions, those (where applied)."""
    rows = await conn.fetch("select source, position from stats.applied_statistics")
    found = {r["source"]: r["position"] for r in rows}
    limits = dict(known or ())
    return {s: min(found.get(s, 0), limits.get(s, found.get(s, 0))) for s in SOURCES}
