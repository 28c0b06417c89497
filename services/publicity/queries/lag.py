"""How far behind each projection is: events (log end minus applied) and seconds."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.projections import Projection


async def projection_lag(
    conn: asyncpg.Connection,
    projections: list[Projection],
    topic_of: dict[str, str],
    ends: dict[tuple[str, int], int],
    now: datetime,
) -> list[dict]:
    applied = {(r["projection"], r["topic"], r["partition"]): r["offset"]
               for r in await conn.fetch('select projection, topic, partition, "offset" from proj.positions')}
    out = []
    for p in projections:
        marks = {r["source"]: r for r in await conn.fetch(
            f"select source, position, recorded_at from {p.watermark_table}")}  # type: ignore[attr-defined]
        topics = []
        for source in p.sources:
            topic = topic_of[source]
            behind = sum(max(0, end - applied.get((p.name, topic, part), -1) - 1)
                         for (t, part), end in ends.items() if t == topic)
            mark = marks.get(source)
            seconds = 0.0 if behind == 0 else (
                max(0.0, (now - mark["recorded_at"]).total_seconds()) if mark else None)
            topics.append({"source": source, "topic": topic, "events_behind": behind, "seconds_behind": seconds,
                           "applied_position": mark["position"] if mark else 0,
                           "last_recorded_at": mark["recorded_at"].isoformat() if mark else None})
        known = [t["seconds_behind"] for t in topics if t["seconds_behind"] is not None]
        out.append({"projection": p.name, "events_behind": sum(t["events_behind"] for t in topics),
                    "seconds_behind": max(known) if known else None, "topics": topics})
    return out
