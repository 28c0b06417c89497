"""A timeline's month ends long past are kept between requests (``KeptPoints``), and given up
when a fact dated before them is applied: a kept series is always the series computed afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from services.publicity.queries.figures import Scope
from services.publicity.queries.timeline import KeptPoints, series
from tests.integration.publicity.support import fed
from tests.integration.publicity.undo import undo_steps

SPAN = ("villages_designated", date(2022, 2, 1), date(2022, 4, 30), Scope())


async def test_kept_points_give_way_to_facts_dated_before_them(settings):
    async with fed(settings, "pubpoints") as w, w.pool.acquire() as conn:
        kept = KeptPoints()
        forward = await series(conn, *SPAN, kept)
        assert forward == await series(conn, *SPAN)
        (key, points), = kept.series.items()
        assert len(points) == 3  # every month end of 2022 is past

        assert set(await kept.valid(conn, key)) == set(points)  # nothing applied since: all stand
        await w.feeder.feed(undo_steps(w.scenario))  # dated from 2022-03-01: after February's end only
        standing = await kept.valid(conn, key)
        assert [c.astimezone(UTC).date() for c in standing] == [date(2022, 2, 28)]

        undone = await series(conn, *SPAN, kept)
        assert undone == await series(conn, *SPAN)
        assert [int(p["value"]) for p in forward] == [2, 2, 2]
        assert [int(p["value"]) for p in undone] == [2, 2, 1]


def test_a_cut_off_still_to_come_is_not_kept():
    kept, now = KeptPoints(), datetime.now(UTC)
    kept.keep(("m",), {now + timedelta(days=1): (Decimal(1), 7)}, now)
    assert kept.series == {}
    kept.keep(("m",), {now - timedelta(days=1): (Decimal(1), 7), now + timedelta(days=1): (Decimal(2), 7)}, now)
    assert list(kept.series[("m",)]) == [now - timedelta(days=1)]
