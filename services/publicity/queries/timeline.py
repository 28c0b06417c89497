"""随时间 / figures over time: a metric's total at the end of each month, in one query."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import asyncpg

from services.publicity.domain.asof import BEIJING
from services.publicity.queries.figures import Scope, metric, scope_clauses

MAX_POINTS = 72


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


async def series(conn: asyncpg.Connection, name: str, start: date, end: date, scope: Scope) -> list[dict]:
    days = month_ends(start, end)
    cutoffs = [datetime.combine(d + timedelta(days=1), time.min, tzinfo=BEIJING) for d in days]
    args: list = [days, cutoffs]
    where = scope_clauses(scope, args)
    clause = ("where " + " and ".join(where)) if where else ""
    rows = await conn.fetch(
        f"""select pt.day, (select coalesce(sum(m.value), 0) from ({_at_point(metric(name).sql)}) m {clause}) as value
            from unnest($1::date[], $2::timestamptz[]) as pt(day, cutoff) order by pt.day""",
        *args,
    )
    return [{"date": r["day"].isoformat(), "value": r["value"]} for r in rows]
