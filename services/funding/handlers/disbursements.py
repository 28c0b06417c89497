"""拨付 / disbursements: request → approve → pay, or reject; reverse a payment."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import NotFound

from services.funding.adapters import balances
from services.funding.domain.access import FinanceScope
from services.funding.domain.allocation import Allocation
from services.funding.domain.commands import (
    ApproveDisbursement,
    PayDisbursement,
    RejectDisbursement,
    RequestDisbursement,
    ReverseDisbursement,
)
from services.funding.domain.dates import business_date, today
from services.funding.domain.disbursement import Disbursement
from services.funding.domain.limits import ensure_request_fits
from shared.money import yuan
from services.funding.handlers.views import allocation_view


def view(d: Disbursement) -> dict:
    return {
        "disbursement_id": d.key,
        "allocation_id": d.allocation_id,
        "tranche_no": d.tranche_no,
        "amount": yuan(d.amount_fen),
        "status": d.status,
        "stream_version": d.version,
    }


async def request(uow: UnitOfWork, cmd: RequestDisbursement, scope: FinanceScope) -> dict:
    """The request reserves its amount at once (committed), so approvals can never overshoot."""
    conn = uow.conn
    figures = await balances.lock_allocation(conn, cmd.allocation_id)
    if figures is None:
        raise NotFound(f"未找到分配 {cmd.allocation_id} / allocation {cmd.allocation_id} not found",
                       field="allocation_id")
    allocation = await uow.load(Allocation, cmd.allocation_id)
    scope.ensure(allocation.district, field="allocation_id")
    tranches = await balances.lock_tranches(conn, cmd.allocation_id)
    disbursement = await uow.load(Disbursement, cmd.disbursement_id)
    disbursement.request(cmd, allocation, scope.subject)
    ensure_request_fits(figures, tranches.get(cmd.tranche_no) if cmd.tranche_no else None, cmd.amount_fen)
    after = await balances.move_allocation(conn, cmd.allocation_id, committed=cmd.amount_fen)
    if cmd.tranche_no:
        await balances.move_tranche(conn, cmd.allocation_id, cmd.tranche_no, committed=cmd.amount_fen)
    await uow.save(disbursement)
    return view(disbursement) | {"allocation": allocation_view(after)}


async def _load(uow: UnitOfWork, disbursement_id: str, scope: FinanceScope) -> Disbursement:
    disbursement = await uow.load(Disbursement, disbursement_id)
    disbursement.ensure_exists()
    scope.ensure(disbursement.district, field="disbursement_id")
    return disbursement


async def approve(uow: UnitOfWork, cmd: ApproveDisbursement, scope: FinanceScope, *, disbursement_id: str) -> dict:
    disbursement = await _load(uow, disbursement_id, scope)
    disbursement.approve(scope.subject)
    await uow.save(disbursement)
    return view(disbursement)


async def reject(uow: UnitOfWork, cmd: RejectDisbursement, scope: FinanceScope, *, disbursement_id: str) -> dict:
    first = await _load(uow, disbursement_id, scope)
    await balances.lock_allocation(uow.conn, first.allocation_id)
    await balances.lock_tranches(uow.conn, first.allocation_id)
    disbursement = await uow.load(Disbursement, disbursement_id)  # as it is now that we hold the locks
    disbursement.reject(cmd.reason)
    after = await balances.move_allocation(uow.conn, disbursement.allocation_id, committed=-disbursement.amount_fen)
    if disbursement.tranche_no:
        await balances.move_tranche(uow.conn, disbursement.allocation_id, disbursement.tranche_no,
                                    committed=-disbursement.amount_fen)
    await uow.save(disbursement)
    return view(disbursement) | {"allocation": allocation_view(after)}


async def _lock_paying(uow: UnitOfWork, disbursement_id: str, scope: FinanceScope) -> Disbursement:
    first = await _load(uow, disbursement_id, scope)
    await balances.lock_line(uow.conn, first.line_id)
    await balances.lock_allocation(uow.conn, first.allocation_id)
    await balances.lock_tranches(uow.conn, first.allocation_id)
    return await uow.load(Disbursement, disbursement_id)  # as it is now that we hold the locks


async def _move_paid(uow: UnitOfWork, d: Disbursement, paid_fen: int, committed_fen: int) -> dict:
    conn = uow.conn
    after = await balances.move_allocation(conn, d.allocation_id, committed=committed_fen, paid=paid_fen)
    if d.tranche_no:
        await balances.move_tranche(conn, d.allocation_id, d.tranche_no, committed=committed_fen, paid=paid_fen)
    await balances.move_line(conn, d.line_id, paid=paid_fen)
    await balances.move_village(conn, d.village_code, paid=paid_fen)
    await balances.move_project(conn, d.project_id, paid=paid_fen)
    return allocation_view(after)


async def pay(uow: UnitOfWork, cmd: PayDisbursement, scope: FinanceScope, *, disbursement_id: str) -> dict:
    disbursement = await _lock_paying(uow, disbursement_id, scope)
    occurred = uow.meta.occurred_at
    disbursement.pay(cmd.voucher_no, cmd.paid_on or (business_date(occurred) if occurred else today()))
    allocation = await _move_paid(uow, disbursement, disbursement.amount_fen, -disbursement.amount_fen)
    await uow.save(disbursement)
    return view(disbursement) | {"allocation": allocation}


async def reverse(uow: UnitOfWork, cmd: ReverseDisbursement, scope: FinanceScope, *, disbursement_id: str) -> dict:
    disbursement = await _lock_paying(uow, disbursement_id, scope)
    disbursement.reverse(cmd.reason)
    allocation = await _move_paid(uow, disbursement, -disbursement.amount_fen, 0)
    await uow.save(disbursement)
    return view(disbursement) | {"allocation": allocation}

