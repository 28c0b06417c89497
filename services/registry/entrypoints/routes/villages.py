"""村 / villages."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Response, status

from shared.eventstore import NotFound
from shared.http.auth import Principal, Role, current_principal, ensure_district, require
from shared.http.deps import IdempotencyKey, Meta, Store, get_pool

from services.registry import handlers
from services.registry.domain.commands import RegisterVillage

router = APIRouter(prefix="/villages", tags=["村 villages"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="登记行政村 / register a village",
    responses={409: {"description": "村代码已登记 / code already registered"}},
)
async def register_village(
    cmd: RegisterVillage,
    store: Store,
    meta: Meta,
    principal: Annotated[Principal, Depends(require(Role.district_official))],
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    ensure_district(principal, cmd.district)
    done = await store.execute(
        "RegisterVillage",
        cmd.model_dump(mode="json"),
        meta,
        lambda uow: handlers.register_village(uow, cmd),
        idempotency_key,
    )
    if done.replayed:
        response.status_code = status.HTTP_200_OK
    return done.result


@router.get("", summary="村名录 / list villages")
async def list_villages(
    pool: Annotated[asyncpg.Pool, Depends(get_pool)],
    _: Annotated[Principal, Depends(current_principal)],
    district: Annotated[str | None, Query(description="区代码 / district code")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数 / page size")] = 100,
    after: Annotated[str | None, Query(max_length=12, description="上一页最后的村代码 / last code of the previous page")] = None,
) -> dict:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            """select code, name, district, town, village_type, designated from directory.villages
               where ($1::text is null or district = $1) and ($2::text is null or code > $2)
               order by code limit $3""",
            district, after, limit,
        )
    items = [dict(r) for r in rows]
    return {"items": items, "next_after": items[-1]["code"] if len(items) == limit else None}


@router.get("/{code}/history", summary="村的全部事件 / a village's whole history")
async def village_history(
    code: Annotated[str, Path(pattern=r"^\d{12}$")],
    store: Store,
    _: Annotated[Principal, Depends(current_principal)],
) -> dict:
    events = await store.read_stream(None, f"village-{code}")
    if not events:
        raise NotFound(f"未找到村 {code} / village {code} not found", field="code")
    return {"code": code, "events": [e.model_dump(mode="json") for e in events]}
