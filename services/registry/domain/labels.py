"""Vocabulary a district office writes in Chinese, mapped to the codes the events carry."""

from __future__ import annotations

from shared.reference.strengths import STRENGTH_LABELS

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
