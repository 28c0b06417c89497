"""随时间 / figures over time: a metric's total at the end of each month, in one query.

A month's end long past keeps its value until a fact dated before it arrives (a back-dated
correction, a rebuild): ``KeptPoints`` holds such points between requests, so that a series
recomputes only the points the facts applied since could have moved — at national scale each
point is a pass over the metric's whole history, and a series of six years had 72 of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import asyncpg

from services.publicity.domain.asof import BEIJING
from services.publicity.queries.facts_sql import AsKnownAt
from services.publicity.queries.figures import Scope, metric, scope_clauses

MAX_POINTS = 72
KEPT_SERIES = 256  # (metric, scope) pairs whose points a process keeps; the oldest goes first


def month_ends(start: date, end: date) -> list[date]:
    points, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month) and len(points) < MAX_POINTS:
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        points.append(min(date(ny, nm, 1) - timedelta(days=1), end))
        y, m = ny, nm
    return points


def _at_point(sql: str) -> str:
    """The metric's query with its cut-off parameters bound to the point's columns instead."""
    return re.sub(r"\$([12])(?!\d)", lambda m: "pt.cutoff" if m.group(1) == "1" else "pt.day", sql)


@dataclass
class KeptPoints:
    """Points computed earlier, each with the last change (``stats.changes.seq``) applied when it
    was. A point stays valid while every change applied since is dated at or after its cut-off:
    a figure as of a cut-off counts only facts dated before it. A rebuild applies every event
    again, old dates included, so it invalidates them all."""

    series: dict[tuple, dict[datetime, tuple[Decimal, int]]] = field(default_factory=dict)

    async def valid(self, conn: asyncpg.Connection, key: tuple) -> dict[datetime, tuple[Decimal, int]]:
        """The kept points of ``key`` that still stand, each with the last change read now."""
        points = self.series.get(key)
        if not points:
            return {}
        since = min(seq for _, seq in points.values())
        row = await conn.fetchrow(
            """select coalesce(max(seq), 0) as top, min(occurred_at) as earliest
               from stats.changes where seq > $1""", since)
        top, earliest = max(row["top"], since), row["earliest"]
        # Conservative: the earliest date of every change since the oldest point, not since each.
        return {c: (value, top) for c, (value, _) in points.items() if earliest is None or c <= earliest}

    def keep(self, key: tuple, points: dict[datetime, tuple[Decimal, int]], now: datetime) -> None:
        # Only cut-offs already past: a fact applied later may still be dated before a future one.
        past = {c: p for c, p in points.items() if c <= now}
        self.series.pop(key, None)
        if not past:
            return
        while len(self.series) >= KEPT_SERIES:
            self.series.pop(next(iter(self.series)))
        self.series[key] = past


async def series(conn: asyncpg.Connection, name: str, start: date, end: date, scope: Scope,
                 kept: KeptPoints | None = None) -> list[dict]:
    days = month_ends(start, end)
    cutoffs = [datetime.combine(d + timedelta(days=1), time.min, tzinfo=BEIJING) for d in days]
    key = (name, scope.district, scope.village, tuple(sorted(scope.dims.items())))
    # As known at given positions, the answer is not the model's own: nothing kept, nothing read.
    keeping = kept is not None and not isinstance(conn, AsKnownAt)
    have = await kept.valid(conn, key) if keeping else {}
    computed, seq, now = await _computed(conn, name, [(d, c) for d, c in zip(days, cutoffs) if c not in have], scope)
    points = {**have, **{c: (value, seq) for c, value in computed.items()}}
    if keeping:
        kept.keep(key, points, now)
    return [{"date": d.isoformat(), "value": points[c][0]} for d, c in zip(days, cutoffs)]


async def _computed(conn: asyncpg.Connection, name: str, points: list[tuple[date, datetime]],
                    scope: Scope) -> tuple[dict[datetime, Decimal], int, datetime]:
    """The metric at each point, the last change applied in the snapshot they were read in, and
    the database's clock (all from one statement: one snapshot)."""
    args: list = [[d for d, _ in points], [c for _, c in points]]
    where = scope_clauses(scope, args)
    clause = ("where " + " and ".join(where)) if where else ""
    rows = await conn.fetch(
        f"""select pt.cutoff, (select coalesce(sum(m.value), 0) from ({_at_point(metric(name).sql)}) m {clause}) as value,
                   (select coalesce(max(seq), 0) from stats.changes) as seq, now() as now
            from unnest($1::date[], $2::timestamptz[]) as pt(day, cutoff)
            union all select null, null, (select coalesce(max(seq), 0) from stats.changes), now()""",
        *args,
    )
    found = {r["cutoff"]: r["value"] for r in rows if r["cutoff"] is not None}
    return found, rows[0]["seq"], rows[0]["now"]
