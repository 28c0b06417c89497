"""截至日期 / "as of": what a statistic's cut-off means.

A date D means the end of that day in Beijing time (every fact of D counts); a timestamp
means that instant (a timestamp without a zone is read as Beijing time). Facts count by
their business time: the event's ``occurred_at``, which commands set with ``X-Occurred-At``
when they record something that happened earlier.

A correction is often back-dated, so "as of D" alone changes after the fact. ``known_at``
(the log positions every answer states, ``assessment:12 funding:34 registry:56``) reproduces
an answer as it was given: only events up to those positions count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
SOURCES = ("assessment", "funding", "registry")


@dataclass(frozen=True)
class AsOf:
    cutoff: datetime  # facts with business time strictly before it count
    day: date  # the calendar day (Beijing) the cut-off falls on, for due dates and validity
    text: str  # as the caller gave it, or the time it was taken
    known: tuple[tuple[str, int], ...] | None = None  # as known at these log positions; None: all applied

    def to_json(self) -> dict:
        # ``known`` shows in the log positions an answer states: an answer reproduced as known at
        # them is then the same, byte for byte, as the one first given.
        return {"as_of": self.text, "cutoff": self.cutoff.isoformat(), "day": self.day.isoformat()}


def parse_known_at(value: str | None) -> tuple[tuple[str, int], ...] | None:
    """Log positions per source (``source:position``, by spaces or commas); a source left out counts
    in full. ``None`` or blank: everything applied. Raises ``ValueError`` with a bilingual message."""
    if value is None or not value.strip():
        return None
    found: dict[str, int] = {}
    for part in value.replace(",", " ").split():
        source, _, position = part.partition(":")
        if source not in SOURCES or not position.isdigit() or source in found:
            raise ValueError(f"应为 来源:位置，来源为 {'/'.join(SOURCES)} 之一且各一次 / expected source:position "
                             f"with each source of {'/'.join(SOURCES)} at most once, got {part!r}")
        found[source] = int(position)
    return tuple(sorted(found.items()))


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


def drawn_at(instant: datetime | None, known: dict[str, int] | None, now: datetime) -> AsOf:
    """What a publication's figures are as of: the instant and log positions it kept (as of that
    instant, as known at those positions); one recorded before it kept them: now, as known now."""
    if instant is None:
        return parse_as_of(None, now)
    shown = instant.astimezone(BEIJING)
    return AsOf(cutoff=instant + timedelta(microseconds=1), day=shown.date(), text=shown.isoformat(),
                known=tuple(sorted(known.items())) if known else None)
