"""Reads of funding's own copy of the village register (shared VillageDirectory projection)
and of what it has heard from assessment (verified milestones, planned projects)."""

from __future__ import annotations

from datetime import date

import asyncpg

from services.funding.domain.villages import VillageInfo

_VILLAGE = "code, name, district, village_type, designated"


class PgDirectory:
    """What funding has heard of villages and projects, over one command's connection: what
    handlers reach as ``uow.adapter(PgDirectory)`` (``adapters/memory.py`` is its twin)."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def village(self, code: str) -> VillageInfo | None:
        row = await self.conn.fetchrow(f"select {_VILLAGE} from directory.villages where code = $1", code)
        return VillageInfo(**row) if row else None

    async def villages(self, codes: list[str] | None, *, designated_only: bool,
                       village_types: list[str], districts: list[str]) -> list[VillageInfo]:
        """The listed villages (or, with ``codes`` None, every one matching the rules)."""
        rows = await self.conn.fetch(
            f"""select {_VILLAGE} from directory.villages
                where ($1::text[] is null or code = any($1))
                  and ($1::text[] is not null or ((not $2 or designated)
                       and (cardinality($3::text[]) = 0 or village_type = any($3))
                       and (cardinality($4::text[]) = 0 or district = any($4))))
                order by code""",
            codes, designated_only, village_types, districts)
        return [VillageInfo(**r) for r in rows]

    async def designation(self, code: str) -> asyncpg.Record | None:
        """What funding last heard of the village's designation (None: nothing yet)."""
        return await self.conn.fetchrow(
            "select designated, revocation_reason from funding.village_designations where village_code = $1", code)

    async def verified_on(self, project_id: str, milestone_id: str) -> date | None:
        return await self.conn.fetchval(
            "select verified_on from funding.verified_milestones where project_id = $1 and milestone_id = $2",
            project_id, milestone_id)

    async def known_project(self, project_id: str) -> asyncpg.Record | None:
        return await self.conn.fetchrow(
            """select project_id, village_code, task_no, milestone_ids, cancelled, cancelled_milestones
               from funding.known_projects where project_id = $1""",
            project_id)
