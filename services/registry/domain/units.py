"""扶持单位 / supporting units: city or district level, with their functional strengths."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.registry import UnitAttributesChanged, UnitRegistered
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError
from shared.reference.places import DistrictCode

from services.registry.domain.ids import Id
from services.registry.domain.labels import Strengths


class RegisterUnit(BaseModel):
    """登记扶持单位 / register a supporting unit."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit_id: Id
    name: str = Field(min_length=1, max_length=100, description="单位名称 / unit name")
    level: Literal["city", "district"] = Field(description="市级 city / 区级 district")
    district: DistrictCode | None = Field(None, description="区级单位所属区（名称或代码）/ district of a district-level unit")
    strengths: Strengths = Field(
        min_length=1, max_length=10, description="职能优势（中文或代码）/ functional strengths (Chinese or code)"
    )

    @model_validator(mode="after")
    def district_matches_level(self) -> RegisterUnit:
        if self.level == "district" and self.district is None:
            raise ValueError("区级单位须填写所属区 / a district-level unit needs its district")
        if self.level == "city" and self.district is not None:
            raise ValueError("市级单位不属于某区 / a city-level unit has no district")
        return self


class ChangeUnitAttributes(BaseModel):
    """调整单位职能优势 / edit a unit's functional strengths, with the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    strengths: Strengths = Field(
        min_length=1, max_length=10, description="调整后的职能优势（中文或代码）/ the strengths from now on")
    reason: str = Field(min_length=2, max_length=500, description="调整理由 / why")


class Unit(Aggregate):
    stream_prefix = "unit"
    noun = "单位"

    name: str
    level: str
    district: str | None
    strengths: list[str]

    def register(self, cmd: RegisterUnit) -> None:
        if self.exists:
            raise Conflict(f"单位 {cmd.unit_id} 已登记 / unit {cmd.unit_id} is already registered", field="unit_id")
        self.record(UnitRegistered(unit_id=cmd.unit_id, name=cmd.name, level=cmd.level, district=cmd.district,
                                   strengths=list(dict.fromkeys(s.value for s in cmd.strengths))))

    def change_attributes(self, cmd: ChangeUnitAttributes) -> None:
        self.require_exists()
        strengths = list(dict.fromkeys(s.value for s in cmd.strengths))
        if set(strengths) == set(self.strengths):
            raise DomainError("职能优势没有变化 / the strengths are unchanged", field="strengths")
        self.record(UnitAttributesChanged(unit_id=self.key, district=self.district, strengths=strengths,
                                          previous_strengths=self.strengths, reason=cmd.reason))

    def when_UnitAttributesChanged(self, event: UnitAttributesChanged) -> None:
        self.strengths = list(event.strengths)

    def when_UnitRegistered(self, event: UnitRegistered) -> None:
        self.name, self.level, self.district, self.strengths = event.name, event.level, event.district, event.strengths
