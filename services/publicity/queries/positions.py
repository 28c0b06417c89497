"""Which log positions the statistics were computed from, and what exactly the read models have applied."""

from __future__ import annotations

from datetime import datetime

import asyncpg

SOURCES = ("registry", "funding", "assessment")


async def log_positions(conn: asyncpg.Connection, known: tuple[tuple[str, int], ...] | None = None) -> dict[str, int]:
    """Per source service, the highest global position the statistics have applied — or, for an
    answer as known at given positions, those (where applied)."""
    rows = await conn.fetch("select source, position from stats.applied_statistics")
    found = {r["source"]: r["position"] for r in rows}
    limits = dict(known or ())
    return {s: min(found.get(s, 0), limits.get(s, found.get(s, 0))) for s in SOURCES}


async def applied_state(conn: asyncpg.Connection, projections: list[str]) -> str:
    """What the read models have applied, exactly: per projection and Kafka partition, the offset
    reached. Written in the same transaction as each model change, so an answer read in one
    snapshot is a function of the request and of this text."""
    return await conn.fetchval(
        """select coalesce(string_agg(projection || ' ' || topic || ' ' || partition || ' ' || "offset", ';'
                                      order by projection, topic, partition), '')
           from proj.positions where projection = any($1::text[])""", projections)


async def business_horizon(conn: asyncpg.Connection, after_seq: int) -> tuple[int, datetime | None]:
    """The newest change number and the latest business time among the changes after ``after_seq``.

    Every fact's business time is its event's, and every event that made facts has a change
    row; so the latest business time of all changes bounds every fact's."""
    row = await conn.fetchrow(
        "select max(seq) as seq, max(occurred_at) as at from stats.changes where seq > $1", after_seq)
    return (row["seq"] or after_seq), row["at"]
