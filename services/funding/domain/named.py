"""Funding's aggregates are named by the client's ids: each is created once and found by its id.
The id's field is ``<stream_prefix>_id`` (``allocation_id``), and its English name the prefix."""

from __future__ import annotations

from typing import ClassVar

from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict


class Named(Aggregate):
    taken: ClassVar[str] = "已存在"

    def ensure_new(self) -> None:
        if self.exists:
            raise Conflict(f"{self.noun} {self.key} {self.taken} / {self.stream_prefix} {self.key} already exists",
                           field=f"{self.stream_prefix}_id")
