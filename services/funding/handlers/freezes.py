"""冻结 / allocations frozen when their village's designation ended: the city office's two
ways out — return the unpaid remainder to the line, or record an exception."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.funding.domain.access import FinanceScope
from services.funding.domain.allocation import Allocation
from services.funding.domain.commands import RecordFreezeException, ReleaseFrozenRemainder
from services.funding.domain.limits import AllocationFigures, ensure_no_open_requests
from services.funding.handlers.allocations import lock_for_change, return_unpaid
from services.funding.handlers.views import allocation_view


async def release_remainder(uow: UnitOfWork, cmd: ReleaseFrozenRemainder, scope: FinanceScope, *,
                            allocation_id: str) -> dict:
    """As a cancellation: the allocation keeps exactly what it paid; open requests are
    rejected (or paid) first, so nothing reserved is returned twice."""
    def close(allocation: Allocation, figures: AllocationFigures) -> int:
        allocation.ensure_frozen()
        ensure_no_open_requests(figures)
        return allocation.release_frozen(figures.paid_fen, cmd.reason, scope.subject)

    return await return_unpaid(uow, allocation_id, scope, close) | {"frozen": False}


async def record_exception(uow: UnitOfWork, cmd: RecordFreezeException, scope: FinanceScope, *,
                           allocation_id: str) -> dict:
    _, figures, _, allocation = await lock_for_change(uow, allocation_id, scope)
    allocation.record_exception(cmd.reason, scope.subject)
    await uow.save(allocation)
    return allocation_view(figures) | {"frozen": False, "exception": cmd.reason}
