"""预警 / alerts: a cadre absent too long; a village nobody of its team was in this week."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def absent_days(last_present: date | None, entered_on: date, as_of: date, leaves: Iterable[tuple[date, date]]) -> int:
    """Days after the last check-in (or the team's entry) up to ``as_of``, approved leave not counted."""
    # The day of entry itself is a day to be present, so counting starts the day before it.
    since = last_present if last_present is not None and last_present >= entered_on else entered_on - timedelta(days=1)
    gap = {since + timedelta(days=i) for i in range(1, (as_of - since).days + 1)}
    for start, end in leaves:
        gap = {d for d in gap if not start <= d <= end}
    return len(gap)


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday (ISO week) containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
