"""In-memory twins of ``PgDirectory`` and ``PgImages`` for the handlers' unit tests
(``InMemoryUnitOfWork.provide(PgDirectory, InMemoryDirectory(...))``): the same answers over
plain collections. Whether the SQL answers alike is
``tests/integration/publicity/test_handler_adapters.py``'s business (one suite over both)."""

from __future__ import annotations

from datetime import UTC, datetime


class InMemoryDirectory:
    def __init__(self, villages: set[str] | None = None) -> None:
        self.villages: set[str] = set(villages or ())  # registered codes
        self.runs: dict[str, list[tuple[str, bool]]] = {}  # run → (code, designated) in rank order
        self.designated: set[str] = set()  # designated now
        self.positions: dict[str, int] = {"registry": 0, "funding": 0, "assessment": 0}  # applied

    async def drawn_now(self) -> tuple[datetime, dict[str, int]]:
        return datetime.now(UTC), dict(self.positions)

    async def run_exists(self, run_id: str) -> bool:
        return bool(self.runs.get(run_id))

    async def run_designated(self, run_id: str) -> list[str]:
        return [code for code, designated in self.runs.get(run_id, ()) if designated]

    async def designated_now(self) -> list[str]:
        return sorted(self.designated)

    async def unregistered(self, codes: list[str]) -> list[str]:
        return [c for c in codes if c not in self.villages]

    async def village_registered(self, code: str) -> bool:
        return code in self.villages


class InMemoryImages:
    def __init__(self) -> None:
        self.images: dict[str, tuple[str, bytes]] = {}  # sha256 → (content type, bytes)

    async def store(self, sha256: str, content_type: str, content: bytes) -> bool:
        if sha256 in self.images:
            return False
        self.images[sha256] = (content_type, content)
        return True

    async def uploaded(self, hashes: list[str]) -> set[str]:
        return {h for h in hashes if h in self.images}
