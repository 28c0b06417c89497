"""Money: integer fen inside, yuan (at most two decimals) at the edges. Never float."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

# Inputs: a positive amount in yuan. The cap (100 billion yuan) keeps fen within bigint with room to sum.
Yuan = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("1e11"), decimal_places=2, description="金额（元，最多两位小数）/ amount in yuan, at most 2 decimals"),
]
# Amounts that may be zero (an allocation cut down to nothing).
YuanOrZero = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("1e11"), decimal_places=2, description="金额（元，最多两位小数）/ amount in yuan, at most 2 decimals"),
]


def to_fen(yuan: Decimal) -> int:
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"金额最多两位小数 / at most two decimals: {yuan}")
    return int(fen)


def yuan(fen: int | Decimal) -> str:
    """Fen as yuan with two decimals: 123456 → '1234.56', -5 → '-0.05'. PostgreSQL's sum()
    of bigints arrives as a whole Decimal; anything fractional is a bug, not a rounding."""
    if not isinstance(fen, int):
        if fen != fen.to_integral_value():
            raise ValueError(f"fen must be whole: {fen}")
        fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
