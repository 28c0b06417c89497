"""Money as the public reads it: integer fen inside, yuan with two decimals outside."""

from __future__ import annotations

from decimal import Decimal


def yuan(fen: int | Decimal) -> str:
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def rate_pct(part: int | Decimal, whole: int | Decimal) -> str | None:
    """A percentage with one decimal, as a string; None when the whole is zero."""
    if not whole:
        return None
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")))
