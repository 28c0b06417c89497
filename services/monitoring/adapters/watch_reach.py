"""How far monitoring's watch has applied the topics it judges days by (``proj.positions``):
a day's close waits for it (entrypoints/facts_read.py)."""

from __future__ import annotations

import asyncpg

from services.monitoring.projections.watch import Watch

# The other services' facts. Monitoring's own topic is left out: what the watch judges a day
# by from it — the days before, the rules' versions, the alerts' acknowledgements — it reads
# from the store, and waiting for it would make each close wait for the last one's alerts to
# come back round through the relay.
FACT_SOURCES = tuple(s for s in Watch.sources if s != Watch.service)


async def unread(conn: asyncpg.Connection, ends: dict[tuple[str, int], int]) -> int:
    """Records before ``ends`` (each partition's end offset) the watch has not applied yet."""
    rows = await conn.fetch('select topic, partition, "offset" from proj.positions where projection = $1 '
                            "and topic = any($2::text[])", Watch.name, sorted({t for t, _ in ends}))
    applied = {(r["topic"], r["partition"]): r["offset"] for r in rows}
    return sum(max(0, end - applied.get(key, -1) - 1) for key, end in ends.items())
