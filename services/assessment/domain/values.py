"""Value types every assessment command shares: ids, village codes, money, business days."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field

BEIJING = ZoneInfo("Asia/Shanghai")

Id = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$",
          description="由调用方提供的标识（字母数字._:-，≤80）/ client-supplied id (letters, digits, . _ : -; ≤ 80)"),
]
VillageCode = Annotated[str, Field(pattern=r"^\d{12}$", description="村代码 / 12-digit village code")]
Year = Annotated[int, Field(ge=2018, le=2100, description="年度 / year")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Reason = Annotated[str, Field(min_length=2, max_length=500, description="理由 / reason")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="文件 SHA-256（小写十六进制）/ a file's SHA-256, lowercase hex")]
# Incomes may be entered as reported; the plausibility rules (not the type) refuse negatives, with a reason.
YuanAmount = Annotated[
    Decimal,
    Field(le=Decimal("1e11"), ge=Decimal("-1e11"), decimal_places=2,
          description="金额（元，最多两位小数）/ amount in yuan, at most 2 decimals"),
]


def to_fen(yuan: Decimal) -> int:
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"金额最多两位小数 / at most two decimals: {yuan}")
    return int(fen)


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals: 123456 → '1234.56', -5 → '-0.05'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def business_day(instant: datetime) -> date:
    """The calendar day (Beijing) a fact happened on."""
    return instant.astimezone(BEIJING).date()
