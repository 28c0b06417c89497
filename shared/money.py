"""Money: integer fen (分) inside, yuan with at most two decimals at the edges. Never float.

The one definition every service uses: inputs are validated as yuan, converted to fen
exactly (a third decimal is an error, never a rounding), and shown as yuan text.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

# The cap (100 billion yuan) keeps fen within bigint with room to sum.
CAP = Decimal("1e11")
_DESCRIPTION = "金额（元，最多两位小数）/ amount in yuan, at most 2 decimals"

# A positive amount in yuan.
Yuan = Annotated[Decimal, Field(gt=0, le=CAP, decimal_places=2, description=_DESCRIPTION)]
# An amount that may be zero (an allocation cut down to nothing, an income of nothing).
YuanOrZero = Annotated[Decimal, Field(ge=0, le=CAP, decimal_places=2, description=_DESCRIPTION)]
# An amount as reported, which may be negative (a loss): plausibility rules, not the type, judge it.
SignedYuan = Annotated[Decimal, Field(ge=-CAP, le=CAP, decimal_places=2, description=_DESCRIPTION)]


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


def rate_pct(part: int | Decimal, whole: int | Decimal) -> str | None:
    """A percentage with one decimal, as a string; None when the whole is zero."""
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")))
