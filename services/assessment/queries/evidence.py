"""An evidence file for download, with the villages it was reported for (who may read it)."""

from __future__ import annotations

import asyncpg

from shared.eventstore import NotFound

from services.assessment.adapters import evidence
from services.assessment.queries.scope import ReadScope


async def evidence_file(conn: asyncpg.Connection, sha256: str, scope: ReadScope) -> asyncpg.Record:
    row = await evidence.fetch(conn, sha256)
    if row is None:
        raise NotFound(f"未找到文件 {sha256} / no such evidence file", field="sha256")
    uses = await evidence.uses(conn, sha256)
    scope.require(scope.city_wide or any(scope.sees(u["village_code"], u["district"]) for u in uses), field="sha256")
    return row
