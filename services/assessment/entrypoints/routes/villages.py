"""村 / what the assessment service knows of a village: its register entry and its teams."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.eventstore import NotFound

from services.assessment.adapters import directory
from services.assessment.entrypoints.routes.common import Pool, Reader

router = APIRouter(prefix="/villages", tags=["村 villages"])


@router.get("/{code}", summary="本服务所知的村及其工作队 / a village as this service knows it, with its teams")
async def village(code: Annotated[str, Path(pattern=r"^\d{12}$")], pool: Pool, _: Reader) -> dict:
    async with pool.acquire() as conn:
        row = await conn.fetchrow("select code, name, district, designated from directory.villages where code = $1",
                                  code)
        if row is None:
            raise NotFound(f"村 {code} 未登记（或尚未同步）/ village {code} is not registered (or not yet heard of)",
                           field="code")
        return {**dict(row), "teams": await directory.teams_serving(conn, code)}
