"""统计 / statistics, public."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends

from shared.http.deps import get_pool
from shared.reference.places import DISTRICTS

router = APIRouter(prefix="/stats", tags=["统计 statistics"])


@router.get("/overview", summary="总览：各区行政村数 / overview: villages per district")
async def overview(pool: Annotated[asyncpg.Pool, Depends(get_pool)]) -> dict:
    async with pool.acquire() as conn:
        rows = await conn.fetch("select district, count(*) as villages from stats.villages group by district")
    counts = {r["district"]: r["villages"] for r in rows}
    return {
        "villages_total": sum(counts.values()),
        "districts": [
            {"code": code, "name": name, "villages": counts.get(code, 0)} for code, name in DISTRICTS.items()
        ],
    }
