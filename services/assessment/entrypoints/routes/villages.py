"""村 / what the assessment service knows of a village: its register entry and its teams."""

from __future__ import annotations

from fastapi import APIRouter

from services.assessment.entrypoints.deps import Pool, Reader, VillageCodePath
from services.assessment.entrypoints.schemas import VillageView
from services.assessment.queries import villages as queries

router = APIRouter(prefix="/villages", tags=["村 villages"])


@router.get("/{code}", summary="本服务所知的村及其工作队 / a village as this service knows it, with its teams")
async def village(code: VillageCodePath, pool: Pool, _: Reader) -> VillageView:
    async with pool.acquire() as conn:
        return await queries.village(conn, code)
