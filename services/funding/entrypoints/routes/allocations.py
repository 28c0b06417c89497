"""分配 / allocations of money to villages."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Response

from shared.eventstore import NotFound
from shared.http.deps import IdempotencyKey, Meta, Store, get_pool

from services.funding.domain.commands import (
    AdjustAllocation,
    AllocateFunds,
    CancelAllocation,
    RecordFreezeException,
    ReleaseFrozenRemainder,
)
from services.funding.entrypoints.access import CityOffice, Reader, Writer
from services.funding.entrypoints.commands import run
from services.funding.handlers import allocations, freezes
from services.funding.queries import reads

router = APIRouter(prefix="/allocations", tags=["分配 allocations"])
AllocationId = Annotated[str, Path(max_length=80, description="分配编号 / allocation id")]


@router.post(
    "", status_code=201,
    summary="资金分配到村 / allocate from a line to a designated village",
    description="只能分配给已认定且未撤销的经济薄弱村；可按项目节点分期 / only to designated weak villages; "
    "optionally in tranches released by project milestones",
    responses={422: {"description": "超出预算线余额、村未认定等 / above the line, village not designated…"}},
)
async def allocate(cmd: AllocateFunds, store: Store, meta: Meta, scope: Writer, response: Response,
                   idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "AllocateFunds", cmd.model_dump(mode="json"), meta,
                     lambda uow: allocations.allocate(uow, cmd, scope), idempotency_key, response)


@router.post("/{allocation_id}/adjust", summary="调整分配（不低于已拨付与在途）/ adjust (not below paid + requested)")
async def adjust(allocation_id: AllocationId, cmd: AdjustAllocation, store: Store, meta: Meta, scope: Writer,
                 response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "AdjustAllocation", {"allocation_id": allocation_id, **cmd.model_dump(mode="json")},
                     meta, lambda uow: allocations.adjust(uow, allocation_id, cmd, scope), idempotency_key,
                     response, created=False)


@router.post("/{allocation_id}/cancel", summary="撤销分配（未支付部分退回预算线）/ cancel: the unpaid part returns to the line")
async def cancel(allocation_id: AllocationId, cmd: CancelAllocation, store: Store, meta: Meta, scope: Writer,
                 response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "CancelAllocation", {"allocation_id": allocation_id, **cmd.model_dump(mode="json")},
                     meta, lambda uow: allocations.cancel(uow, allocation_id, cmd, scope), idempotency_key,
                     response, created=False)


@router.post(
    "/{allocation_id}/release-frozen",
    summary="冻结分配：未支付余额退回预算线（市办）/ frozen allocation: return the unpaid remainder to the line "
    "(city office)",
    responses={409: {"description": "未冻结、已撤销或尚有在途申请 / not frozen, cancelled, or requests still open"}},
)
async def release_frozen(allocation_id: AllocationId, cmd: ReleaseFrozenRemainder, store: Store, meta: Meta,
                         scope: CityOffice, response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReleaseFrozenRemainder", {"allocation_id": allocation_id, **cmd.model_dump(mode="json")},
                     meta, lambda uow: freezes.release_remainder(uow, allocation_id, cmd, scope, scope.subject),
                     idempotency_key, response, created=False)


@router.post(
    "/{allocation_id}/freeze-exception",
    summary="冻结分配：登记例外，继续拨付（市办）/ frozen allocation: record an exception, payments go on (city office)",
    responses={409: {"description": "未冻结或已撤销 / not frozen, or cancelled"}},
)
async def freeze_exception(allocation_id: AllocationId, cmd: RecordFreezeException, store: Store, meta: Meta,
                           scope: CityOffice, response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RecordFreezeException", {"allocation_id": allocation_id, **cmd.model_dump(mode="json")},
                     meta, lambda uow: freezes.record_exception(uow, allocation_id, cmd, scope, scope.subject),
                     idempotency_key, response, created=False)


@router.get("", summary="分配列表 / allocations")
async def list_allocations(
    pool: Annotated[asyncpg.Pool, Depends(get_pool)],
    reader: Reader,
    line_id: Annotated[str | None, Query(max_length=80)] = None,
    village_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数 / page size")] = 200,
    after: Annotated[str | None, Query(max_length=80, description="上一页最后的编号 / last id of the previous page")] = None,
) -> dict:
    async with pool.acquire() as conn:
        items = await reads.allocations(conn, reader, line_id=line_id, village_code=village_code, limit=limit,
                                        after=after)
    return {"items": items, "next_after": items[-1]["allocation_id"] if len(items) == limit else None}


@router.get("/{allocation_id}", summary="一项分配及其分期、拨付 / one allocation, its tranches and payments")
async def get_allocation(allocation_id: AllocationId, pool: Annotated[asyncpg.Pool, Depends(get_pool)],
                         reader: Reader) -> dict:
    async with pool.acquire() as conn:
        found = await reads.allocation(conn, allocation_id)
        if found is None or not reader.sees_village(found[1], found[2]):
            raise NotFound(f"未找到分配 {allocation_id} / allocation {allocation_id} not found", field="allocation_id")
        payments = await reads.disbursements(conn, reader, allocation_id=allocation_id, limit=10_000)
    return found[0] | {"disbursements": payments}
