"""驻村打卡与生活补助 / daily presence for the four togethers, and the monthly allowance.

One stream per cadre and month (``presence-<cadre_id>-<yyyy-mm>``): at most one check-in
a day, and the month's days are what the allowance is computed from.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.contracts.registry import AllowanceComputed, CadrePresenceLogged
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict

from services.registry.domain.ids import Id
from services.registry.domain.labels import TOGETHER_BY_LABEL, split_list

Together = Literal["eat", "live", "study", "work"]


class CheckIn(BaseModel):
    """一次驻村打卡 / one day in the village."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    cadre_id: Id
    village_code: str = Field(pattern=r"^\d{12}$", description="所驻村 / the village")
    day: IsoDate = Field(description="日期 / day")
    togethers: list[Together] = Field(
        min_length=1, max_length=4,
        description="四同：同吃 eat、同住 live、同学习 study、同劳动 work（可用“吃住学劳”）/ the four togethers done that day",
    )

    @field_validator("togethers", mode="before")
    @classmethod
    def by_label(cls, value: object) -> object:
        if isinstance(value, str) and value and all(ch in "吃住学劳" for ch in value):
            value = list(value)  # "吃住学劳" as written on a check-in sheet
        value = split_list(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(dict.fromkeys(TOGETHER_BY_LABEL.get(v, v) for v in value))
        return value  # anything else is refused by the type check, field by field (not a 500)


class LogPresence(BaseModel):
    """驻村打卡（可批量，全部成功或全部不写）/ presence check-ins, all or nothing."""

    model_config = ConfigDict(extra="forbid")

    entries: list[CheckIn] = Field(min_length=1, max_length=2000, description="打卡记录 / check-ins")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class PresenceMonth(Aggregate):
    """Key ``<cadre_id>-<yyyy-mm>``."""

    stream_prefix = "presence"

    def __init__(self, key: str):
        super().__init__(key)
        self.days: dict[date, str] = {}

    def log(self, entry: CheckIn, team_id: str, field: str) -> None:
        if entry.day in self.days:
            raise Conflict(f"干部 {entry.cadre_id} 已于 {entry.day} 打卡 / already checked in on {entry.day}", field=field)
        self.record(CadrePresenceLogged(cadre_id=entry.cadre_id, team_id=team_id, village_code=entry.village_code,
                                        day=entry.day, togethers=entry.togethers))

    def when_CadrePresenceLogged(self, event: CadrePresenceLogged) -> None:
        self.days[event.day] = event.village_code


class ComputeAllowances(BaseModel):
    """计算某月生活补助 / compute a month's living allowance from presence days."""

    model_config = ConfigDict(extra="forbid")

    # The daily rate is the programme's (XINGCUN_REGISTRY_ALLOWANCE_DAILY_FEN), never the
    # caller's: a body naming one is refused (extra="forbid").
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="月份 YYYY-MM / month")


def allowance_fen(presence_days: int, daily_rate_fen: int) -> int:
    return presence_days * daily_rate_fen


class AllowanceLedger(Aggregate):
    """One month's allowances, stream ``allowance-<yyyy-mm>``: a recomputation records only what changed."""

    stream_prefix = "allowance"

    def __init__(self, key: str):
        super().__init__(key)
        self.computed: dict[str, AllowanceComputed] = {}

    def compute(self, days: dict[str, int], teams: dict[str, str], daily_rate_fen: int) -> list[AllowanceComputed]:
        changed = []
        for cadre_id in sorted(set(days) | set(self.computed)):
            n = days.get(cadre_id, 0)
            event = AllowanceComputed(cadre_id=cadre_id, team_id=teams.get(cadre_id), month=self.key, presence_days=n,
                                      amount_fen=allowance_fen(n, daily_rate_fen), daily_rate_fen=daily_rate_fen)
            last = self.computed.get(cadre_id)
            if last is None or (last.presence_days, last.amount_fen) != (event.presence_days, event.amount_fen):
                self.record(event)
                changed.append(event)
        return changed

    def when_AllowanceComputed(self, event: AllowanceComputed) -> None:
        self.computed[event.cadre_id] = event
