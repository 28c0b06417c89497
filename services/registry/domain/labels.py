"""Vocabulary a district office writes in Chinese, mapped to the codes the events carry."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from shared.reference.places import VILLAGE_TYPE_BY_LABEL, VillageType
from shared.reference.strengths import STRENGTH_LABELS, Strength

STRENGTH_BY_LABEL = {label: s for s, label in STRENGTH_LABELS.items()}
# 四同: 同吃、同住、同学习、同劳动 — short and long forms both appear on check-in sheets.
TOGETHER_BY_LABEL = {
    "吃": "eat", "同吃": "eat", "住": "live", "同住": "live",
    "学": "study", "同学习": "study", "学习": "study", "劳": "work", "同劳动": "work", "劳动": "work",
}


def strength_code(value: object) -> object:
    return STRENGTH_BY_LABEL.get(value, value) if isinstance(value, str) else value


def split_list(value: object) -> object:
    """Accept a list, or one cell such as "农业、金融" / "agriculture,finance"."""
    if isinstance(value, str):
        for sep in ("、", "，", ";", "；", "|", "/"):
            value = value.replace(sep, ",")
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def strength_codes(value: object) -> object:
    """A list or one cell of strengths, Chinese labels or codes, as codes."""
    value = split_list(value)
    return [strength_code(v) for v in value] if isinstance(value, list) else value


def village_type_code(value: object) -> object:
    return VILLAGE_TYPE_BY_LABEL.get(value, value) if isinstance(value, str) else value


# Fields that take the office's Chinese wording as well as the codes.
Strengths = Annotated[list[Strength], BeforeValidator(strength_codes)]
VillageTypeLabel = Annotated[VillageType, BeforeValidator(village_type_code)]
