"""The programme's day is Tianjin's, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.dates import today


def test_the_day_turns_at_midnight_in_tianjin_not_on_the_servers_clock():
    assert today(datetime(2026, 12, 4, 15, 59, 59, tzinfo=UTC)) == date(2026, 12, 4)  # 23:59:59 in Tianjin
    assert today(datetime(2026, 12, 4, 16, 0, tzinfo=UTC)) == date(2026, 12, 5)  # midnight in Tianjin, UTC's 4th
