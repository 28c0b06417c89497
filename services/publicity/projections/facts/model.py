"""Fact and the dispatch from an event to the rule that makes its facts.

A rule takes the decoded event (the contract model, upcast to the current version), never
a raw payload: an old version reads as the current one, and a field's meaning is the contract's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from shared.eventstore import RecordedEvent
from shared.eventstore.catalogue import DomainEvent, UnknownEvent


class Fact(NamedTuple):
    # A named tuple rather than a frozen dataclass: a rebuild makes one per event, and a frozen
    # dataclass's __init__ (one object.__setattr__ a field) costs three times as much.
    kind: str
    key: str
    value: dict[str, Any]
    district: str | None = None
    village: str | None = None


Rule = Callable[[Any], list[Fact]]
RULES: dict[str, Rule] = {}


def rule(*event_types: type[DomainEvent]):
    """``@rule(VillageDesignated)``: the rule for these contract types (``when_<Event>`` as a table)."""

    def register(fn: Rule) -> Rule:
        for t in event_types:
            RULES[t.event_type] = fn
        return fn

    return register


def district_of(village: str | None, district: str | None = None) -> str | None:
    """Village codes start with their district's six digits (GB/T 2260)."""
    return district or (village[:6] if village else None)


def facts_of(event: DomainEvent | UnknownEvent) -> list[Fact]:
    """The facts a decoded event states; a type (or version) this code does not know states none."""
    fn = RULES.get(event.event_type)
    return fn(event) if fn and not isinstance(event, UnknownEvent) else []


def facts_of_recorded(event: RecordedEvent) -> list[Fact]:
    """The facts of an event as recorded: decoded and upcast first; types without a rule are not decoded."""
    return facts_of(event.decode()) if event.type in RULES else []


# The rules register themselves on import.
from services.publicity.projections.facts import assessment, funding, registry  # noqa: E402,F401
