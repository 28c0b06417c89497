"""Events published by the registry service on ``registry.events``."""

from __future__ import annotations

from pydantic import Field

from shared.eventstore import DomainEvent
from shared.reference.places import VillageType

SERVICE = "registry"


class VillageRegistered(DomainEvent, type="VillageRegistered", version=1, service=SERVICE):
    """A village entered the programme's register (行政村登记)."""

    code: str = Field(description="村代码 / 12-digit village code")
    name: str = Field(description="村名 / village name")
    district: str = Field(description="区代码 / district code")
    town: str = Field(description="镇/街 / town or subdistrict")
    village_type: VillageType = Field(description="村类型 / village type")
    income_fen: dict[str, int] = Field(
        description="2018–2020 年村集体经营性收入（分）/ collective operating income by year, in fen"
    )
