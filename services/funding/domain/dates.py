"""Business dates: the programme runs on Tianjin's calendar, whatever the server's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def business_date(at: datetime) -> date:
    return at.astimezone(BUSINESS_TZ).date()


def today() -> date:
    """Only commands may ask the clock; projections take dates from events."""
    return datetime.now(BUSINESS_TZ).date()
