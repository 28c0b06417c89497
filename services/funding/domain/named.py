"""Funding's aggregates are named by the client's ids: each is created once and found by its id."""

from __future__ import annotations

from typing import ClassVar

from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, NotFound


class Named(Aggregate):
    noun: ClassVar[tuple[str, str]]  # what it is called, zh and en
    id_field: ClassVar[str]  # the request field that names it
    taken: ClassVar[str] = "已存在"

    def ensure_new(self) -> None:
        if self.exists:
            zh, en = self.noun
            raise Conflict(f"{zh} {self.key} {self.taken} / {en} {self.key} already exists", field=self.id_field)

    def ensure_exists(self) -> None:
        if not self.exists:
            zh, en = self.noun
            raise NotFound(f"未找到{zh} {self.key} / {en} {self.key} not found", field=self.id_field)
