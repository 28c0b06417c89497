"""预算线 / budget lines."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Response

from shared.contracts.funding import FundSource
from shared.eventstore import NotFound
from shared.http.deps import IdempotencyKey, Meta, Store, get_pool

from services.funding.domain.commands import AdjustAppropriation, AppropriateBudget
from services.funding.entrypoints.access import Reader, Writer, ensure_lines_visible
from services.funding.entrypoints.commands import run
from services.funding.handlers import budget
from services.funding.queries import reads

router = APIRouter(prefix="/lines", tags=["预算 budget lines"])
LineId = Annotated[str, Path(max_length=80, description="预算线编号 / line id")]


@router.post("", status_code=201, summary="预算下达 / appropriate a budget line",
             responses={409: {"description": "编号已存在 / line id exists"},
                        403: {"description": "超出本区范围 / outside your scope"}})
async def appropriate(cmd: AppropriateBudget, store: Store, meta: Meta, scope: Writer, response: Response,
                      idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "AppropriateBudget", cmd.model_dump(mode="json"), meta,
                     lambda uow: budget.appropriate(uow, cmd, scope), idempotency_key, response)


@router.post("/{line_id}/adjust", summary="调整预算（不低于已分配）/ adjust a line (not below what is allocated)")
async def adjust(line_id: LineId, cmd: AdjustAppropriation, store: Store, meta: Meta, scope: Writer,
                 response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "AdjustAppropriation", {"line_id": line_id, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: budget.adjust_appropriation(uow, line_id, cmd, scope), idempotency_key, response,
                     created=False)


@router.get("", summary="预算线及执行 / lines with what was allocated and paid")
async def list_lines(
    pool: Annotated[asyncpg.Pool, Depends(get_pool)],
    reader: Reader,
    source: Annotated[FundSource | None, Query(description="资金来源 / source")] = None,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2100, description="年度 / fiscal year")] = None,
    scope: Annotated[str | None, Query(description="'city' 或区代码 / 'city' or a district code")] = None,
) -> dict:
    ensure_lines_visible(reader)
    async with pool.acquire() as conn:
        items = await reads.lines(conn, district=reader.district or scope, source=source, fiscal_year=fiscal_year)
    return {"items": items}


@router.get("/{line_id}", summary="一条预算线 / one line")
async def get_line(line_id: LineId, pool: Annotated[asyncpg.Pool, Depends(get_pool)], reader: Reader) -> dict:
    ensure_lines_visible(reader)
    async with pool.acquire() as conn:
        line = await reads.line(conn, line_id)
    if line is None or (reader.district and line["scope"] != reader.district):
        raise NotFound(f"未找到预算线 {line_id} / line {line_id} not found", field="line_id")
    return line
