"""Spells: a fact that holds from one business day until another (a village designated, a
team serving it), each end named by the event that made it. ``village.without_team`` holds
on the days of a designation that no team's service covers.

Judged from the spells rather than from the state the events left behind: a village's
designation and the teams serving it are on different streams, so partitions, and an
assignment may be read before the designation it ended the wait of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class Spell:
    start: date
    end: date | None  # None: still holds
    started_by: UUID
    ended_by: UUID | None = None


def uncovered(span: Spell, covers: list[Spell]) -> list[Spell]:
    """The days of ``span`` that no spell of ``covers`` holds on, as spells. Each begins with
    the event that began ``span`` or ended a cover that day, and ends with the event that
    began a cover or ended ``span`` that day; of several on one day, the least id, so the
    same episode whatever order they were read in."""
    covers = [c for c in covers if c.end is None or c.end > c.start]  # a day's end never covered
    runs: list[tuple[date, date | None]] = []
    day: date | None = span.start
    for c in sorted(covers, key=lambda c: c.start):
        if span.end is not None and day >= span.end:  # type: ignore[operator]
            break
        if c.end is not None and c.end <= day:  # type: ignore[operator]
            continue
        if c.start > day:  # type: ignore[operator]
            runs.append((day, c.start if span.end is None else min(c.start, span.end)))  # type: ignore[arg-type]
        if c.end is None:
            day = None
            break
        day = max(day, c.end)  # type: ignore[type-var]
    if day is not None and (span.end is None or day < span.end):
        runs.append((day, span.end))
    return [Spell(start, end, _least([span.started_by] * (start == span.start)
                                     + [c.ended_by for c in covers if c.end == start and c.ended_by]),
                  None if end is None else _least([c.started_by for c in covers if c.start == end]
                                                  + [span.ended_by] * (end == span.end and span.ended_by is not None)))
            for start, end in runs]


def _least(ids: list) -> UUID:
    return min(ids, key=str)
