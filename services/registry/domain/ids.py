"""Identifiers the client supplies (unit, cadre, team, leave, run and proposal ids)."""

from typing import Annotated

from pydantic import Field

Id = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
          description="由调用方提供的标识（字母数字._:-，≤64）/ client-supplied id (letters, digits, . _ : -; ≤ 64)"),
]
