"""Business dates: the programme runs on Tianjin's calendar (``shared.dates.BEIJING``), whatever the server's zone."""

from __future__ import annotations

from datetime import date, datetime

from shared.dates import BEIJING
from shared.dates import today as programme_today


def business_date(at: datetime) -> date:
    return at.astimezone(BEIJING).date()


def today() -> date:
    """Only commands may ask the clock; projections take dates from events."""
    return programme_today()
