"""随时间 / figures over time: a metric's total at the end of each month."""

from __future__ import annotations

from datetime import date

import asyncpg

from services.publicity.domain.asof import parse_as_of
from services.publicity.queries.figures import Scope, total

MAX_POINTS = 72


def month_ends(start: date, end: date) -> list[date]:
    points, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month) and len(points) < MAX_POINTS:
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        last = date.fromordinal(date(ny, nm, 1).toordinal() - 1)
        points.append(min(last, end))
        y, m = ny, nm
    return points


async def series(conn: asyncpg.Connection, name: str, start: date, end: date, scope: Scope) -> list[dict]:
    out = []
    for day in month_ends(start, end):
        asof = parse_as_of(day.isoformat(), now=None)  # type: ignore[arg-type]
        out.append({"date": day.isoformat(), "value": await total(conn, name, asof, scope)})
    return out
