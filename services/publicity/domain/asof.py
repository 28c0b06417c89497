"""截至日期 / "as of": what a statistic's cut-off means.

A date D means the end of that day in Beijing time (every fact of D counts); a timestamp
means that instant (a timestamp without a zone is read as Beijing time). Facts count by
their business time: the event's ``occurred_at``, which commands set with ``X-Occurred-At``
when they record something that happened earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class AsOf:
    cutoff: datetime  # facts with business time strictly before it count
    day: date  # the calendar day (Beijing) the cut-off falls on, for due dates and validity
    text: str  # as the caller gave it, or the time it was taken

    def to_json(self) -> dict:
        return {"as_of": self.text, "cutoff": self.cutoff.isoformat(), "day": self.day.isoformat()}


def parse_as_of(value: str | None, now: datetime) -> AsOf:
    """``None`` means now. Raises ``ValueError`` with a bilingual message on bad input."""
    if value is None or not value.strip():
        instant = now.astimezone(BEIJING)
        return AsOf(cutoff=now + timedelta(microseconds=1), day=instant.date(), text=instant.isoformat())
    text = value.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD, got {text!r}") from None
        cutoff = datetime.combine(day + timedelta(days=1), time.min, tzinfo=BEIJING)
        return AsOf(cutoff=cutoff, day=day, text=text)
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"应为日期或带时区的时间 / expected a date (YYYY-MM-DD) or an ISO timestamp, got {text!r}"
        ) from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=BEIJING)
    return AsOf(
        cutoff=instant + timedelta(microseconds=1), day=instant.astimezone(BEIJING).date(), text=text
    )
