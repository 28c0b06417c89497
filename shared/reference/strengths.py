"""职能优势: the fixed vocabulary of supporting units' strengths, and which village
types each strength serves best (the basis of need-based matching, 因需对接)."""

from __future__ import annotations

from enum import StrEnum

from shared.reference.places import VillageType


class Strength(StrEnum):
    agriculture = "agriculture"  # 农业
    finance = "finance"  # 金融
    education = "education"  # 教育
    health = "health"  # 卫生健康
    culture_tourism = "culture_tourism"  # 文化旅游
    transport = "transport"  # 交通
    water = "water"  # 水务
    planning = "planning"  # 规划
    commerce = "commerce"  # 商务
    technology = "technology"  # 科技


STRENGTH_LABELS = {
    Strength.agriculture: "农业",
    Strength.finance: "金融",
    Strength.education: "教育",
    Strength.health: "卫生健康",
    Strength.culture_tourism: "文化旅游",
    Strength.transport: "交通",
    Strength.water: "水务",
    Strength.planning: "规划",
    Strength.commerce: "商务",
    Strength.technology: "科技",
}

# How well a strength serves a village type, 0–3. Reference data an administrator may tune.
FIT: dict[VillageType, dict[Strength, int]] = {
    VillageType.agriculture: {Strength.agriculture: 3, Strength.technology: 2, Strength.water: 2, Strength.finance: 1, Strength.commerce: 1},
    VillageType.industry: {Strength.commerce: 3, Strength.finance: 3, Strength.technology: 2, Strength.transport: 1, Strength.planning: 1},
    VillageType.tourism: {Strength.culture_tourism: 3, Strength.transport: 2, Strength.planning: 2, Strength.commerce: 1},
    VillageType.suburban: {Strength.planning: 3, Strength.transport: 2, Strength.commerce: 2, Strength.education: 1, Strength.health: 1},
    VillageType.ecological: {Strength.water: 3, Strength.planning: 2, Strength.agriculture: 1, Strength.culture_tourism: 1, Strength.health: 1},
}
