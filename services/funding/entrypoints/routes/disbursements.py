"""拨付 / disbursements: request → approve → pay, or reject; reversal of a payment."""

from __future__ import annotations

from typing import Annotated, Literal

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Response

from shared.eventstore import NotFound
from shared.http.deps import IdempotencyKey, Meta, Store, get_pool

from services.funding.domain.commands import (
    ApproveDisbursement,
    PayDisbursement,
    RejectDisbursement,
    RequestDisbursement,
    ReverseDisbursement,
)
from services.funding.entrypoints.access import Reader, Writer
from services.funding.entrypoints.commands import run
from services.funding.handlers import disbursements
from services.funding.queries import reads

router = APIRouter(prefix="/disbursements", tags=["拨付 disbursements"])
DisbursementId = Annotated[str, Path(max_length=80, description="拨付申请编号 / disbursement id")]
Status = Literal["requested", "approved", "rejected", "paid", "reversed"]


@router.post(
    "", status_code=201, summary="拨付申请 / request a payment",
    description="申请即占用分配额度，审批不会超额 / a request reserves its amount at once, so approvals cannot overshoot",
    responses={422: {"description": "超出可拨付余额（消息给出限额与金额）/ above what is payable; the message names the "
                                    "limit and the amounts"}},
)
async def request(cmd: RequestDisbursement, store: Store, meta: Meta, scope: Writer, response: Response,
                  idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RequestDisbursement", cmd.model_dump(mode="json"), meta,
                     lambda uow: disbursements.request(uow, cmd, scope, scope.subject), idempotency_key, response)


@router.post("/{disbursement_id}/approve", summary="审批通过（审批人≠申请人）/ approve (not by the requester)",
             responses={403: {"description": "申请人不能审批 / the requester may not approve"}})
async def approve(disbursement_id: DisbursementId, store: Store, meta: Meta, scope: Writer, response: Response,
                  cmd: ApproveDisbursement | None = None, idempotency_key: IdempotencyKey = None) -> dict:
    body = {"disbursement_id": disbursement_id, **(cmd or ApproveDisbursement()).model_dump(mode="json")}
    return await run(store, "ApproveDisbursement", body, meta,
                     lambda uow: disbursements.approve(uow, disbursement_id, scope, scope.subject), idempotency_key,
                     response, created=False)


@router.post("/{disbursement_id}/reject", summary="驳回 / reject with a reason")
async def reject(disbursement_id: DisbursementId, cmd: RejectDisbursement, store: Store, meta: Meta, scope: Writer,
                 response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RejectDisbursement", {"disbursement_id": disbursement_id, **cmd.model_dump(mode="json")},
                     meta, lambda uow: disbursements.reject(uow, disbursement_id, cmd, scope), idempotency_key,
                     response, created=False)


@router.post("/{disbursement_id}/pay", summary="支付 / record the payment of an approved request")
async def pay(disbursement_id: DisbursementId, cmd: PayDisbursement, store: Store, meta: Meta, scope: Writer,
              response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "PayDisbursement", {"disbursement_id": disbursement_id, **cmd.model_dump(mode="json")},
                     meta, lambda uow: disbursements.pay(uow, disbursement_id, cmd, scope), idempotency_key,
                     response, created=False)


@router.post("/{disbursement_id}/reverse", summary="冲销支付 / reverse a payment with a reason")
async def reverse(disbursement_id: DisbursementId, cmd: ReverseDisbursement, store: Store, meta: Meta, scope: Writer,
                  response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReverseDisbursement", {"disbursement_id": disbursement_id, **cmd.model_dump(mode="json")},
                     meta, lambda uow: disbursements.reverse(uow, disbursement_id, cmd, scope), idempotency_key,
                     response, created=False)


@router.get("", summary="拨付列表（如待审批）/ disbursements, e.g. those waiting for approval")
async def list_disbursements(
    pool: Annotated[asyncpg.Pool, Depends(get_pool)],
    reader: Reader,
    status: Annotated[Status | None, Query(description="状态 / status")] = None,
    allocation_id: Annotated[str | None, Query(max_length=80)] = None,
    village_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数 / page size")] = 200,
    after: Annotated[str | None, Query(max_length=80, description="上一页最后的编号 / last id of the previous page")] = None,
) -> dict:
    async with pool.acquire() as conn:
        items = await reads.disbursements(conn, reader, status=status, allocation_id=allocation_id,
                                          village_code=village_code, limit=limit, after=after)
    return {"items": items, "next_after": items[-1]["disbursement_id"] if len(items) == limit else None}


@router.get("/{disbursement_id}", summary="一笔拨付 / one disbursement")
async def get_disbursement(disbursement_id: DisbursementId, pool: Annotated[asyncpg.Pool, Depends(get_pool)],
                           reader: Reader) -> dict:
    async with pool.acquire() as conn:
        found = await reads.disbursement(conn, disbursement_id)
    if found is None or not reader.sees_village(found["village_code"], found["district"]):
        raise NotFound(f"未找到拨付申请 {disbursement_id} / disbursement {disbursement_id} not found",
                       field="disbursement_id")
    return found
