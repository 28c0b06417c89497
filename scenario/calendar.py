"""The programme's calendar: when each stage happens, as business dates (北京时间).

Commands that record these facts carry the date in ``X-Occurred-At``; the statistics
count facts by it, so "as of" any date answers what was true then.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

REGISTRATION = date(2021, 3, 1)  # district offices register their villages over ten days
SCREENING = date(2021, 4, 15)  # 精准识别: the bottom N designated
UNITS = date(2021, 4, 20)
CADRES = date(2021, 4, 26)
TRAINING = (date(2021, 5, 14), date(2021, 5, 21))  # two centralised courses for first secretaries
TEAMS = date(2021, 5, 24)
ASSIGNMENTS = date(2021, 5, 26)
ENTRY = date(2021, 6, 1)  # teams enter their villages over the first week of June
YEARS = (2021, 2022, 2023)  # years of activity, each assessed early the next year
END = date(2024, 6, 30)  # the scenario stops here; anything later has not happened yet


def at(day: date, hour: int = 9) -> datetime:
    """The instant a fact of ``day`` is recorded at: office hours, Beijing time."""
    return datetime.combine(day, time(hour), tzinfo=BEIJING)


def months(first: date, last: date) -> list[tuple[int, int]]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def workdays(year: int, month: int) -> list[date]:
    day, out = date(year, month, 1), []
    while day.month == month:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def clamp(day: date, first: date, last: date) -> date:
    return max(first, min(last, day))
