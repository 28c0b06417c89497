"""业务日 / the business calendar: days close in order, none twice, none ahead of today.

Time-based rules ("more than N days") are evaluated when a day closes, never on a clock,
so a replay raises the same alerts. One stream per year (``calendar-<year>``); the first
day of a year follows the last of the year before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.monitoring import BusinessDayClosed
from shared.dates import BEIJING, IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError


def business_day(instant: datetime) -> date:
    """The calendar day (Beijing) a fact happened on."""
    return instant.astimezone(BEIJING).date()


class CloseDay(BaseModel):
    """结束业务日 / close a business day (the day is in the path)."""

    model_config = ConfigDict(extra="forbid")

    day: IsoDate


class CloseThrough(BaseModel):
    """结束至某日 / close every business day after the last closed, up to ``through`` (a
    calendar caught up in one command: a scheduler back after an outage, a scenario's years)."""

    model_config = ConfigDict(extra="forbid")

    through: IsoDate = Field(description="结束到此日（含）/ the last day to close")
    first: IsoDate | None = Field(None, description="尚无已结束业务日时的第一天 / the first day, when none is closed yet")


class Calendar(Aggregate):
    stream_prefix: ClassVar[str] = "calendar"

    def __init__(self, key: str):
        super().__init__(key)
        self.closed: list[date] = []

    @property
    def last(self) -> date | None:
        return self.closed[-1] if self.closed else None

    def close(self, day: date, *, before: date | None, today: date) -> BusinessDayClosed:
        """``before``: the last day closed in an earlier year, if this year has none yet."""
        if str(day.year) != self.key:
            raise DomainError(f"{day} 不属于 {self.key} 年 / {day} is not in {self.key}", field="day", location="path")
        if day > today:
            raise DomainError(f"业务日 {day} 尚未到来（今天 {today}）/ business day {day} has not come yet (today {today})",
                              field="day", location="path")
        last = self.last or before
        if last is not None and day <= last:
            raise Conflict(f"业务日 {day} 已结束（最近结束：{last}）/ business day {day} is already closed "
                           f"(last closed: {last})", field="day", location="path", last_closed=last.isoformat())
        if last is not None and day != last + timedelta(days=1):
            raise Conflict(f"业务日须依次结束：下一个是 {last + timedelta(days=1)} / days close in order: the next is "
                           f"{last + timedelta(days=1)}", field="day", location="path",
                           next_day=(last + timedelta(days=1)).isoformat())
        event = BusinessDayClosed(day=day)
        self.record(event)
        return event

    def when_BusinessDayClosed(self, event: BusinessDayClosed) -> None:
        self.closed.append(event.day)
