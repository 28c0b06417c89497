"""Shapes the answers share: a row per district with every figure, and the city total."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from shared.reference.places import DISTRICTS

Column = Mapping[str | None, Decimal]


def as_int(value: Decimal | int | None) -> int:
    return int(value or 0)


def per_district(columns: Mapping[str, Column], fmt: Callable[[Decimal], object] = as_int) -> list[dict]:
    """One row per programme district (even with no data), in code order."""
    return [
        {"code": code, "name": name, **{col: fmt(values.get(code, 0)) for col, values in columns.items()}}
        for code, name in DISTRICTS.items()
    ]


def city(columns: Mapping[str, Column], fmt: Callable[[Decimal], object] = as_int) -> dict:
    """City-wide totals include rows with no district (city-level lines and units)."""
    return {col: fmt(sum(values.values(), Decimal(0))) for col, values in columns.items()}
