"""Tianjin's nine agriculture-related districts (涉农区) and the village types of the programme."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

# Administrative division codes (GB/T 2260) of the nine districts that have villages.
DISTRICTS: dict[str, str] = {
    "120110": "东丽区",
    "120111": "西青区",
    "120112": "津南区",
    "120113": "北辰区",
    "120114": "武清区",
    "120115": "宝坻区",
    "120116": "滨海新区",
    "120117": "宁河区",
    "120118": "静海区",
    "120119": "蓟州区",
}
# 滨海新区 is a city district but not one of the programme's nine 涉农区.
DISTRICTS.pop("120116")
DISTRICT_BY_NAME = {name: code for code, name in DISTRICTS.items()}


def district_code(value: str) -> str:
    """Accept a district's code or its Chinese name; raise ValueError otherwise."""
    value = value.strip()
    if value in DISTRICTS:
        return value
    if value in DISTRICT_BY_NAME:
        return DISTRICT_BY_NAME[value]
    raise ValueError(
        f"未知的区 / unknown district {value!r}; 应为 / expected one of: "
        + "、".join(f"{name}({code})" for code, name in DISTRICTS.items())
    )


# A command field that names a district by code or Chinese name, stored as the code.
DistrictCode = Annotated[str, AfterValidator(district_code)]


class VillageType(StrEnum):
    """村类型: what drives a village's economy, used to match it with a unit's strengths."""

    agriculture = "agriculture"  # 农业种养型
    industry = "industry"  # 工贸型
    tourism = "tourism"  # 文旅型
    suburban = "suburban"  # 城郊融合型
    ecological = "ecological"  # 生态保护型

    @property
    def label(self) -> str:
        return VILLAGE_TYPE_LABELS[self]


VILLAGE_TYPE_LABELS = {
    VillageType.agriculture: "农业种养型",
    VillageType.industry: "工贸型",
    VillageType.tourism: "文旅型",
    VillageType.suburban: "城郊融合型",
    VillageType.ecological: "生态保护型",
}
VILLAGE_TYPE_BY_LABEL = {label: t for t, label in VILLAGE_TYPE_LABELS.items()}
