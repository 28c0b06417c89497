"""Which changes of an event's schema keep every stored payload readable (same version)."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.compat import breaking_changes


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # as DomainEvent


class Tranche(Strict):
    no: int
    amount_fen: int


class V1(Strict):
    code: str
    kind: Literal["a", "b"]
    amount_fen: int = Field(ge=0)
    note: str | None = None
    tranches: list[Tranche] = []
    day: date


def changes(new: type[BaseModel]) -> list[str]:
    return breaking_changes(V1.model_json_schema(), new.model_json_schema())


class AddedOptional(V1):
    district: str | None = None
    tags: list[str] = Field(default_factory=list)


class WidenedLiteral(Strict):
    code: str
    kind: Literal["a", "b", "c"]
    amount_fen: int
    note: str | None = None
    tranches: list[Tranche] = []
    day: date


class NumberInsteadOfInteger(Strict):
    code: str
    kind: Literal["a", "b"]
    amount_fen: float = Field(ge=-10)
    note: str | int | None = None
    tranches: list[Tranche] = []
    day: date


@pytest.mark.parametrize("new", [V1, AddedOptional, WidenedLiteral, NumberInsteadOfInteger])
def test_additive_and_widening_changes_keep_the_version(new):
    assert changes(new) == []


class AddedRequired(V1):
    district: str


class Removed(Strict):
    code: str
    kind: Literal["a", "b"]
    amount_fen: int
    tranches: list[Tranche] = []
    day: date


class Retyped(Strict):
    code: int
    kind: Literal["a", "b"]
    amount_fen: int
    note: str | None = None
    tranches: list[Tranche] = []
    day: date


class NarrowedLiteral(Strict):
    code: str
    kind: Literal["a"]
    amount_fen: int
    note: str | None = None
    tranches: list[Tranche] = []
    day: date


class NoLongerOptional(Strict):
    code: str
    kind: Literal["a", "b"]
    amount_fen: int
    note: str = ""
    tranches: list[Tranche] = []
    day: date


class TightenedLimit(V1):
    amount_fen: int = Field(ge=100)


class NestedRequired(Strict):
    code: str
    kind: Literal["a", "b"]
    amount_fen: int
    note: str | None = None
    tranches: list[TrancheWithMilestone] = []
    day: date


class TrancheWithMilestone(Strict):
    no: int
    amount_fen: int
    milestone_id: str


NestedRequired.model_rebuild()


class DateBecameDateTime(Strict):
    code: str
    kind: Literal["a", "b"]
    amount_fen: int
    note: str | None = None
    tranches: list[Tranche] = []
    day: str = Field(json_schema_extra={"format": "date-time"})


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (AddedRequired, "$.district: 新增必填字段 / new required field"),
        (Removed, "$.note: 字段被删除或改名 / field removed or renamed"),
        (Retyped, "$.code: 不再接受类型 / no longer accepts type string"),
        (NarrowedLiteral, '$.kind: 不再接受取值 / no longer accepts "b"'),
        (NoLongerOptional, "$.note: 不再接受类型 / no longer accepts type null"),
        (TightenedLimit, "$.amount_fen: minimum 收紧 / tightened to 100 (was 0)"),
        (NestedRequired, "$.tranches[].milestone_id: 新增必填字段 / new required field"),
        (DateBecameDateTime, "$.day: format 变更 / changed to 'date-time' (was 'date')"),
    ],
)
def test_changes_that_reject_stored_payloads_are_named(new, expected):
    assert expected in changes(new)
