"""拨付 / disbursements: request → approve → pay, or reject; reversal of a payment."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from shared.eventstore import NotFound
from shared.http.command_routes import CommandRoutes

from services.funding.domain.commands import (
    ApproveDisbursement,
    PayDisbursement,
    RejectDisbursement,
    RequestDisbursement,
    ReverseDisbursement,
)
from services.funding.entrypoints.deps import After, Limit, VillageCode, Conn, DisbursementId, Reader, Run, Writer
from services.funding.entrypoints.schemas import Disbursement, DisbursementMoved, Disbursements, DisbursementState
from services.funding.queries import reads

router = APIRouter(prefix="/disbursements", tags=["拨付 disbursements"])
Status = Literal["requested", "approved", "rejected", "paid", "reversed"]


writes = CommandRoutes(router.post, Run, Writer, disbursement_id=DisbursementId)
writes.add("", RequestDisbursement, DisbursementMoved, name="request", status_code=201,
           summary="拨付申请 / request a payment",
           description="申请即占用分配额度，审批不会超额 / a request reserves its amount at once, so approvals cannot overshoot",
           responses={422: {"description": "超出可拨付余额（消息给出限额与金额）/ above what is payable; the message names the "
                                           "limit and the amounts"}})
writes.add("/{disbursement_id}/approve", ApproveDisbursement, DisbursementState, name="approve", optional=True,
           summary="审批通过（审批人≠申请人）/ approve (not by the requester)",
           responses={403: {"description": "申请人不能审批 / the requester may not approve"}})
writes.add("/{disbursement_id}/reject", RejectDisbursement, DisbursementMoved, name="reject",
           summary="驳回 / reject with a reason")
writes.add("/{disbursement_id}/pay", PayDisbursement, DisbursementMoved, name="pay",
           summary="支付 / record the payment of an approved request")
writes.add("/{disbursement_id}/reverse", ReverseDisbursement, DisbursementMoved, name="reverse",
           summary="冲销支付 / reverse a payment with a reason")


@router.get("", summary="拨付列表（如待审批）/ disbursements, e.g. those waiting for approval")
async def list_disbursements(
    conn: Conn,
    reader: Reader,
    status: Annotated[Status | None, Query(description="状态 / status")] = None,
    allocation_id: Annotated[str | None, Query(max_length=80)] = None,
    village_code: VillageCode = None,
    limit: Limit = 200,
    after: After = None,
) -> Disbursements:
    items = await reads.disbursements(conn, reader, status=status, allocation_id=allocation_id,
                                      village_code=village_code, limit=limit, after=after)
    return reads.page(items, "disbursement_id", limit)


@router.get("/{disbursement_id}", summary="一笔拨付 / one disbursement")
async def get_disbursement(disbursement_id: DisbursementId, conn: Conn, reader: Reader) -> Disbursement:
    found = await reads.disbursement(conn, disbursement_id)
    if found is None or not reader.sees_village(found["village_code"], found["district"]):
        raise NotFound(f"未找到拨付申请 {disbursement_id} / disbursement {disbursement_id} not found",
                       field="disbursement_id")
    return found
