"""When and how facts are recorded — decisions of the driving that the check must also
know: the day each command is sent with (``X-Occurred-At``) where it differs from the
fact's own date, and how check-ins are gathered into sheets."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from scenario.model import Insurance, Scenario

# The registry takes up to 2,000 check-ins in one all-or-nothing batch; the scenario sends at most
# 500. Measured at 3× Tianjin (registry's stages alone, load 8–9): 500 → presence in 61.5 s, registry
# API peak 201 MB, no 503; 2,000 (sheets of up to 1,671) → 67.5 s, 242 MB, 87 answers 503 (its
# bound on the entries in flight): a small sheet holds less while it waits, and waits less.
MAX_SHEET = 500
DAILY_ALLOWANCE_FEN = 10_000  # 驻村生活补助日标准：100 元 / the daily living allowance the office applies


def insurance_recorded_on(i: Insurance) -> date:
    return i.valid_from - timedelta(days=5)


def allowance_month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def allowance_recorded_on(month: str) -> date:
    """Allowances of a month are computed on the 5th of the next."""
    year, m = map(int, month.split("-"))
    return date(year + m // 12, m % 12 + 1, 5)


def presence_sheets(s: Scenario) -> list[tuple[str, str, int, list, date]]:
    """Each district office's monthly attendance sheet, split team by team into parts of at
    most MAX_SHEET rows: (district, month, part, check-ins, recorded on — the day after
    the sheet's last day)."""
    by_key: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    districts = {t.team_id: t.district for t in s.teams}
    for c in s.check_ins:
        by_key[(districts[c.team_id], allowance_month(c.day))][c.team_id].append(c)
    out = []
    for (district, month), teams in sorted(by_key.items()):
        parts: list[list] = [[]]
        for team_id in sorted(teams):
            if len(parts[-1]) + len(teams[team_id]) > MAX_SHEET:
                parts.append([])
            parts[-1].extend(teams[team_id])
        for i, entries in enumerate(parts):
            out.append((district, month, i + 1, entries, max(c.day for c in entries) + timedelta(days=1)))
    return out
