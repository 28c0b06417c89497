"""Fact and the dispatch from an event type to the rule that makes its facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Payload = dict[str, Any]


@dataclass(frozen=True)
class Fact:
    kind: str
    key: str
    value: dict[str, Any] = field(default_factory=dict)
    district: str | None = None
    village: str | None = None


Rule = Callable[[Payload], list[Fact]]
RULES: dict[str, Rule] = {}


def rule(*event_types: str):
    def register(fn: Rule) -> Rule:
        for t in event_types:
            RULES[t] = fn
        return fn

    return register


def district_of(village: str | None, district: str | None = None) -> str | None:
    """Village codes start with their district's six digits (GB/T 2260)."""
    return district or (village[:6] if village else None)


def facts_of(event_type: str, payload: Payload) -> list[Fact]:
    """The facts an event states; an unknown type states none (newer producers may add types)."""
    fn = RULES.get(event_type)
    return fn(payload) if fn else []


# The rules register themselves on import.
from services.publicity.projections.facts import assessment, funding, registry  # noqa: E402,F401
