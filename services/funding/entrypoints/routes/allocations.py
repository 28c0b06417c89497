"""分配 / allocations of money to villages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.eventstore import NotFound
from shared.http.command_routes import CommandRoutes

from services.funding.domain.commands import (
    AdjustAllocation,
    AllocateFunds,
    CancelAllocation,
    RecordFreezeException,
    ReleaseFrozenRemainder,
)
from services.funding.entrypoints.deps import After, Limit, VillageCode, AllocationId, CityOffice, Conn, Reader, Run, Writer
from services.funding.entrypoints.schemas import (
    AllocationAdjusted,
    AllocationCancelled,
    AllocationMade,
    Allocations,
    AllocationWithPayments,
    FreezeExceptionRecorded,
    FrozenRemainderReleased,
)
from services.funding.queries import reads

router = APIRouter(prefix="/allocations", tags=["分配 allocations"])


writes = CommandRoutes(router.post, Run, Writer, allocation_id=AllocationId)
writes.add("", AllocateFunds, AllocationMade, name="allocate", status_code=201,
           summary="资金分配到村 / allocate from a line to a designated village",
           description="只能分配给已认定且未撤销的经济薄弱村；可按项目节点分期 / only to designated weak villages; "
           "optionally in tranches released by project milestones",
           responses={422: {"description": "超出预算线余额、村未认定等 / above the line, village not designated…"}})
writes.add("/{allocation_id}/adjust", AdjustAllocation, AllocationAdjusted, name="adjust",
           summary="调整分配（不低于已拨付与在途）/ adjust (not below paid + requested)")
writes.add("/{allocation_id}/cancel", CancelAllocation, AllocationCancelled, name="cancel",
           summary="撤销分配（未支付部分退回预算线）/ cancel: the unpaid part returns to the line")
writes.add("/{allocation_id}/release-frozen",
           ReleaseFrozenRemainder, FrozenRemainderReleased, name="release_frozen", caller=CityOffice,
           summary="冻结分配：未支付余额退回预算线（市办）/ frozen allocation: return the unpaid remainder to the line "
           "(city office)",
           responses={409: {"description": "未冻结、已撤销或尚有在途申请 / not frozen, cancelled, or requests still open"}})
writes.add("/{allocation_id}/freeze-exception",
           RecordFreezeException, FreezeExceptionRecorded, name="freeze_exception", caller=CityOffice,
           summary="冻结分配：登记例外，继续拨付（市办）/ frozen allocation: record an exception, payments go on (city office)",
           responses={409: {"description": "未冻结或已撤销 / not frozen, or cancelled"}})


@router.get("", summary="分配列表 / allocations")
async def list_allocations(
    conn: Conn,
    reader: Reader,
    line_id: Annotated[str | None, Query(max_length=80)] = None,
    village_code: VillageCode = None,
    limit: Limit = 200,
    after: After = None,
) -> Allocations:
    items = await reads.allocations(conn, reader, line_id=line_id, village_code=village_code, limit=limit, after=after)
    return reads.page(items, "allocation_id", limit)


@router.get("/{allocation_id}", summary="一项分配及其分期、拨付 / one allocation, its tranches and payments")
async def get_allocation(allocation_id: AllocationId, conn: Conn, reader: Reader) -> AllocationWithPayments:
    found = await reads.allocation(conn, allocation_id)
    if found is None or not reader.sees_village(found[1], found[2]):
        raise NotFound(f"未找到分配 {allocation_id} / allocation {allocation_id} not found", field="allocation_id")
    return found[0] | {"disbursements": await reads.disbursements(conn, reader, allocation_id=allocation_id,
                                                                   limit=10_000)}
