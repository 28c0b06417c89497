"""冻结 / allocations frozen when their village's designation ended: the city office's two
ways out — return the unpaid remainder to the line, or record an exception."""

from __future__ import annotations

from shared.eventstore import UnitOfWork

from services.funding.adapters import balances
from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import RecordFreezeException, ReleaseFrozenRemainder
from services.funding.domain.limits import ensure_no_open_requests
from shared.money import yuan
from services.funding.handlers.allocations import _lock_for_change
from services.funding.handlers.views import allocation_view, line_view


async def release_remainder(uow: UnitOfWork, cmd: ReleaseFrozenRemainder, scope: FinanceScope, *,
                            allocation_id: str) -> dict:
    """As a cancellation: the allocation keeps exactly what it paid; open requests are
    rejected (or paid) first, so nothing reserved is returned twice."""
    conn = uow.conn
    line, figures, tranches, allocation = await _lock_for_change(uow, allocation_id, scope)
    allocation.ensure_frozen()
    ensure_no_open_requests(figures)
    returned = allocation.release_frozen(figures.paid_fen, cmd.reason, scope.subject)
    for no, t in tranches.items():
        await balances.move_tranche(conn, allocation_id, no, amount=t.paid_fen - t.amount_fen)
    after = await balances.move_allocation(conn, allocation_id, amount=-returned,
                                           released=figures.paid_fen - figures.released_fen, cancel=True)
    line_after = await balances.move_line(conn, line.line_id, allocated=-returned)
    await balances.move_village(conn, allocation.village_code, allocated=-returned)
    await balances.move_project(conn, allocation.project_id, allocated=-returned)
    await uow.save(allocation)
    return allocation_view(after) | {"line": line_view(line_after), "returned": yuan(returned), "frozen": False}


async def record_exception(uow: UnitOfWork, cmd: RecordFreezeException, scope: FinanceScope, *,
                           allocation_id: str) -> dict:
    _, figures, _, allocation = await _lock_for_change(uow, allocation_id, scope)
    allocation.record_exception(cmd.reason, scope.subject)
    await uow.save(allocation)
    return allocation_view(figures) | {"frozen": False, "exception": cmd.reason}
