"""变更流 / the change feed: one row per applied event, numbered in the order the statistics took it."""

from __future__ import annotations

import asyncpg


async def last_seq(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("select coalesce(max(seq), 0) from stats.changes")


async def changes_after(conn: asyncpg.Connection, seq: int, limit: int) -> list[dict]:
    rows = await conn.fetch(
        """select seq, source, position, event_type, kinds, district, village, occurred_at
           from stats.changes where seq > $1 order by seq limit $2""",
        seq, limit,
    )
    return [{"seq": r["seq"], "source": r["source"], "position": r["position"], "type": r["event_type"],
             "figures": list(r["kinds"]), "district": r["district"], "village": r["village"],
             "occurred_at": r["occurred_at"].isoformat()} for r in rows]
