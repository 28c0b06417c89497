"""拨付 / disbursements: request → approve → pay, or reject; reverse a payment."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import NotFound

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
from services.funding.handlers.ports import balances
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
    rows = balances(uow)
    figures = await rows.lock_allocation(cmd.allocation_id)
    if figures is None:
        raise NotFound(f"未找到分配 {cmd.allocation_id} / allocation {cmd.allocation_id} not found",
                       field="allocation_id")
    allocation = await uow.load(Allocation, cmd.allocation_id)
    scope.ensure(allocation.district, field="allocation_id")
    tranches = await rows.lock_tranches(cmd.allocation_id)
    disbursement = await uow.load(Disbursement, cmd.disbursement_id)
    disbursement.request(cmd, allocation, scope.subject)
    ensure_request_fits(figures, tranches.get(cmd.tranche_no) if cmd.tranche_no else None, cmd.amount_fen)
    after = await rows.move_allocation(cmd.allocation_id, committed=cmd.amount_fen)
    if cmd.tranche_no:
        await rows.move_tranche(cmd.allocation_id, cmd.tranche_no, committed=cmd.amount_fen)
    await uow.save(disbursement)
    return view(disbursement) | {"allocation": allocation_view(after)}


async def _load(uow: UnitOfWork, disbursement_id: str, scope: FinanceScope) -> Disbursement:
    disbursement = await uow.load(Disbursement, disbursement_id)
    disbursement.require_exists()
    scope.ensure(disbursement.district, field="disbursement_id")
    return disbursement


async def approve(uow: UnitOfWork, cmd: ApproveDisbursement, scope: FinanceScope, *, disbursement_id: str) -> dict:
    disbursement = await _load(uow, disbursement_id, scope)
    disbursement.approve(scope.subject)
    await uow.save(disbursement)
    return view(disbursement)


async def reject(uow: UnitOfWork, cmd: RejectDisbursement, scope: FinanceScope, *, disbursement_id: str) -> dict:
    first = await _load(uow, disbursement_id, scope)
    await balances(uow).lock_allocation(first.allocation_id)
    await balances(uow).lock_tranches(first.allocation_id)
    disbursement = await uow.load(Disbursement, disbursement_id)  # as it is now that we hold the locks
    disbursement.reject(cmd.reason)
    after = await balances(uow).move_allocation(disbursement.allocation_id, committed=-disbursement.amount_fen)
    if disbursement.tranche_no:
        await balances(uow).move_tranche(disbursement.allocation_id, disbursement.tranche_no,
                                    committed=-disbursement.amount_fen)
    await uow.save(disbursement)
    return view(disbursement) | {"allocation": allocation_view(after)}


async def _lock_paying(uow: UnitOfWork, disbursement_id: str, scope: FinanceScope) -> Disbursement:
    first = await _load(uow, disbursement_id, scope)
    await balances(uow).lock_line(first.line_id)
    await balances(uow).lock_allocation(first.allocation_id)
    await balances(uow).lock_tranches(first.allocation_id)
    return await uow.load(Disbursement, disbursement_id)  # as it is now that we hold the locks


async def _move_paid(uow: UnitOfWork, d: Disbursement, paid_fen: int, committed_fen: int) -> dict:
    rows = balances(uow)
    after = await rows.move_allocation(d.allocation_id, committed=committed_fen, paid=paid_fen)
    if d.tranche_no:
        await rows.move_tranche(d.allocation_id, d.tranche_no, committed=committed_fen, paid=paid_fen)
    await rows.move_line(d.line_id, paid=paid_fen)
    await rows.move_village(d.village_code, paid=paid_fen)
    await rows.move_project(d.project_id, paid=paid_fen)
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

