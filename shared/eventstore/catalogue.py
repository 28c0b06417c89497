"""Domain events registered by type name and schema version, with upcasters.

An event class declares its type and version when it is defined::

    class VillageRegistered(DomainEvent, type="VillageRegistered", version=2, service="registry"):
        ...

Stored payloads of older versions are upcast step by step (v1 → v2 → …) on read.
A type the catalogue does not know is returned as ``UnknownEvent`` with its raw
payload: a consumer must survive events newer than its code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

Payload = dict[str, Any]


class DomainEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    version: ClassVar[int]
    service: ClassVar[str]

    def __init_subclass__(
        cls, *, type: str | None = None, version: int = 1, service: str | None = None, **kw: Any
    ):
        super().__init_subclass__(**kw)
        if type is None:  # an abstract intermediate class
            return
        cls.event_type, cls.version, cls.service = type, version, service or ""
        CATALOGUE.register(cls)


@dataclass(frozen=True)
class UnknownEvent:
    """An event whose type (or version) this code does not know; kept as raw data."""

    event_type: str
    version: int
    payload: Payload


@dataclass
class Catalogue:
    classes: dict[str, type[DomainEvent]] = field(default_factory=dict)
    upcasters: dict[tuple[str, int], Callable[[Payload], Payload]] = field(default_factory=dict)

    def register(self, cls: type[DomainEvent]) -> None:
        known = self.classes.get(cls.event_type)
        if known is not None and known is not cls and known.__qualname__ != cls.__qualname__:
            raise TypeError(f"event type {cls.event_type} registered twice")
        self.classes[cls.event_type] = cls

    def upcast(self, event_type: str, version: int, payload: Payload) -> tuple[int, Payload]:
        while (step := self.upcasters.get((event_type, version))) is not None:
            payload, version = step(dict(payload)), version + 1
        return version, payload

    def decode(self, event_type: str, version: int, payload: Payload) -> DomainEvent | UnknownEvent:
        cls = self.classes.get(event_type)
        if cls is None:
            return UnknownEvent(event_type, version, payload)
        version, payload = self.upcast(event_type, version, payload)
        if version != cls.version:  # stored by newer code than ours, or a missing upcaster
            return UnknownEvent(event_type, version, payload)
        # The validator itself: model_validate's keyword handling around it cost as much again.
        return cls.__pydantic_validator__.validate_python(payload)


CATALOGUE = Catalogue()


def upcaster(event_type: str, from_version: int):
    """Register ``fn(payload_v_n) -> payload_v_n+1`` for one event type."""

    def register(fn: Callable[[Payload], Payload]) -> Callable[[Payload], Payload]:
        CATALOGUE.upcasters[(event_type, from_version)] = fn
        return fn

    return register
