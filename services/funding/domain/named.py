"""Funding's aggregates are named by the client's ids: each is created once and found by its id.
The id's field is ``<stream_prefix>_id`` (``allocation_id``), and its English name the prefix."""

from __future__ import annotations

from typing import ClassVar

from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, NotFound


class Named(Aggregate):
    noun: ClassVar[str]  # what it is called in Chinese
    taken: ClassVar[str] = "已存在"

    def ensure_new(self) -> None:
        if self.exists:
            raise Conflict(f"{self.noun} {self.key} {self.taken} / {self.stream_prefix} {self.key} already exists",
                           field=f"{self.stream_prefix}_id")

    def ensure_exists(self) -> None:
        if not self.exists:
            raise NotFound(f"未找到{self.noun} {self.key} / {self.stream_prefix} {self.key} not found",
                           field=f"{self.stream_prefix}_id")
