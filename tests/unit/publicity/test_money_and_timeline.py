"""Money shown in yuan with two decimals, rates with one; month ends for the timelines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.money import rate_pct, yuan
from services.publicity.queries.timeline import MAX_POINTS, month_ends


def test_yuan_from_fen():
    assert [yuan(0), yuan(5), yuan(100_000_00), yuan(Decimal(12345)), yuan(-150)] == [
        "0.00", "0.05", "100000.00", "123.45", "-1.50"]


def test_rate_rounds_to_one_decimal_and_is_none_without_a_base():
    assert rate_pct(1, 3) == "33.3" and rate_pct(2, 3) == "66.7" and rate_pct(5, 0) is None


def test_month_ends_stop_at_the_end_date_and_are_bounded():
    assert month_ends(date(2021, 1, 15), date(2021, 3, 10)) == [date(2021, 1, 31), date(2021, 2, 28), date(2021, 3, 10)]
    assert month_ends(date(2024, 2, 1), date(2024, 2, 29)) == [date(2024, 2, 29)]
    assert len(month_ends(date(2000, 1, 1), date(2030, 1, 1))) == MAX_POINTS
