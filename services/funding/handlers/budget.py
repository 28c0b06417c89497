"""预算线 / budget lines: appropriate, adjust."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import Conflict, NotFound

from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import AdjustAppropriation, AppropriateBudget
from services.funding.domain.limits import ensure_line_not_below_allocated
from services.funding.domain.line import BudgetLine
from services.funding.handlers.ports import balances
from services.funding.handlers.views import line_view


async def appropriate(uow: UnitOfWork, cmd: AppropriateBudget, scope: FinanceScope) -> dict:
    scope.ensure(cmd.scope, field="scope")
    if not await balances(uow).insert_line(cmd.line_id, cmd.source, cmd.fiscal_year, cmd.scope, cmd.amount_fen):
        raise Conflict(f"预算线 {cmd.line_id} 已存在 / line {cmd.line_id} already exists", field="line_id")
    line = await uow.load(BudgetLine, cmd.line_id)
    line.appropriate(cmd)
    await uow.save(line)
    return line_view(await balances(uow).move_line(cmd.line_id))


async def adjust_appropriation(uow: UnitOfWork, cmd: AdjustAppropriation, scope: FinanceScope, *, line_id: str) -> dict:
    figures = await balances(uow).lock_line(line_id)
    if figures is None:
        raise NotFound(f"未找到预算线 {line_id} / line {line_id} not found", field="line_id")
    scope.ensure(figures.scope, field="line_id")
    line = await uow.load(BudgetLine, line_id)
    ensure_line_not_below_allocated(figures, cmd.amount_fen)
    line.adjust(cmd.amount_fen, cmd.reason)
    await uow.save(line)
    return line_view(await balances(uow).move_line(line_id, appropriated=cmd.amount_fen - figures.appropriated_fen))
