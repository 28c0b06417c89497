"""Commands about villages. Pure data with validation; no IO."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.money import YuanOrZero, to_fen
from shared.reference.places import DistrictCode
from shared.reference.tasks import INCOME_TARGET_FEN
from shared.validators import at_least_one

from services.registry.domain.labels import Strengths, VillageTypeLabel

YEARS = ("2018", "2019", "2020")


class RegisterVillage(BaseModel):
    """登记行政村 / register an administrative village."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(pattern=r"^\d{12}$", description="村代码（12位统计用区划代码）/ 12-digit village code")
    name: str = Field(min_length=1, max_length=50, description="村名 / village name")
    district: DistrictCode = Field(description="区（名称或代码）/ district, by name or code, e.g. 蓟州区 or 120119")
    town: str = Field(min_length=1, max_length=50, description="镇/街 / town or subdistrict")
    village_type: VillageTypeLabel = Field(description="村类型 / village type (英文代码或中文名 / code or Chinese label)")
    income_2018: YuanOrZero = Field(description="2018年村集体经营性收入（元）/ 2018 collective operating income")
    income_2019: YuanOrZero = Field(description="2019年村集体经营性收入（元）/ 2019 collective operating income")
    income_2020: YuanOrZero = Field(description="2020年村集体经营性收入（元）/ 2020 collective operating income")
    needs: Strengths = Field(
        default_factory=list, max_length=10,
        description="扶持需求（职能优势词表，中文或代码）/ what the village needs, strengths vocabulary (Chinese or code)",
    )

    @model_validator(mode="after")
    def code_within_district(self) -> RegisterVillage:
        if not self.code.startswith(self.district):
            raise ValueError(
                f"村代码应以所属区代码 {self.district} 开头 / village code must start with its district code {self.district}"
            )
        return self

    def income_fen(self) -> dict[str, int]:
        return {year: to_fen(getattr(self, f"income_{year}")) for year in YEARS}


class CorrectIncome(BaseModel):
    """更正基期收入 / correct one baseline income figure, with the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: Literal["2018", "2019", "2020"] = Field(description="年份 / year")
    income: YuanOrZero = Field(description="更正后的收入（元）/ corrected income, yuan")
    reason: str = Field(min_length=2, max_length=500, description="更正理由 / why it is corrected")


class ChangeVillageAttributes(BaseModel):
    """调整村属性 / edit a village's town, type or needs, with the reason (at least one of the three)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    town: str | None = Field(None, min_length=1, max_length=50, description="镇/街 / town or subdistrict")
    village_type: VillageTypeLabel | None = Field(None, description="村类型 / village type (code or Chinese label)")
    needs: Strengths | None = Field(
        None, max_length=10, description="扶持需求（职能优势词表；空列表=无）/ needs, strengths vocabulary ([] = none)")
    reason: str = Field(min_length=2, max_length=500, description="调整理由 / why")

    something = at_least_one("town", "village_type", "needs",
                             message="须至少调整镇/街、村类型或扶持需求之一 / give town, village_type or needs")


class GraduateVillage(BaseModel):
    """达标出列 / a designated village that met the income target leaves the list (city office)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: int = Field(ge=2021, le=2100, description="达标年度 / the year the target was met")
    income: YuanOrZero = Field(description="当年村集体经营性收入（元），须达 20 万元 / that year's collective operating "
                                     "income, yuan; at least 200,000")
    reason: str = Field(min_length=2, max_length=500, description="出列理由 / why")

    @field_validator("income")
    @classmethod
    def meets_target(cls, value: Decimal) -> Decimal:
        if to_fen(value) < INCOME_TARGET_FEN:
            raise ValueError(f"未达到 {INCOME_TARGET_FEN // 100} 元的目标，不能出列 / below the "
                             f"{INCOME_TARGET_FEN // 100}-yuan target: a village graduates only once it met it")
        return value



class ImportVillages(BaseModel):
    """批量导入村 / import a table of villages. The table itself travels beside the command (it is
    a file, not a body); the command names it by its digest, so a retry of the same file under
    the same key is recognised and another file under a used key is refused."""

    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="文件的 SHA-256 / the file's SHA-256")
    partial: bool = Field(False, description="只写正确的行 / write the good rows even if some are bad")
