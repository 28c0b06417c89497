"""Value types every assessment command shares: ids, village codes, reasons, hashes.
Money is ``shared.money``'s and the calendar ``shared.dates``'s; ``business_day`` only reads an instant on it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from shared.dates import BEIJING

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


def business_day(instant: datetime) -> date:
    """The calendar day (Beijing) a fact happened on."""
    return instant.astimezone(BEIJING).date()
