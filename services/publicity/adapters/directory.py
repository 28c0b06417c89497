"""What publicity has heard from registry — villages, screening runs, designations — and how far,
as the handlers look it up before they decide: ``uow.adapter(PgDirectory)`` (its in-memory
twin is ``adapters/memory.py``). Read from the statistics' read models (``stats.*``)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from services.publicity.queries.facts_sql import DESIGNATED
from services.publicity.queries.positions import log_positions


class PgDirectory:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def drawn_now(self) -> tuple[datetime, dict[str, int]]:
        """Now, and the log positions the statistics have applied: what a publication's figures are drawn at."""
        return datetime.now(UTC), await log_positions(self.conn)

    async def run_exists(self, run_id: str) -> bool:
        return await self.conn.fetchval("select exists (select 1 from stats.ranked where run_id = $1)", run_id)

    async def run_designated(self, run_id: str) -> list[str]:
        """The run's designated villages, in rank order."""
        return [r["code"] for r in await self.conn.fetch(
            "select code from stats.ranked where run_id = $1 and designated order by rank", run_id)]

    async def designated_now(self) -> list[str]:
        """The villages designated now, in code order."""
        return [r["village"] for r in await self.conn.fetch(
            f"select village from {DESIGNATED} d order by village", datetime.now(UTC))]

    async def unregistered(self, codes: list[str]) -> list[str]:
        return [r["c"] for r in await self.conn.fetch(
            "select c from unnest($1::text[]) c where not exists (select 1 from stats.villages v where v.code = c)",
            codes)]

    async def village_registered(self, code: str) -> bool:
        return await self.conn.fetchval("select exists (select 1 from stats.villages where code = $1)", code)
