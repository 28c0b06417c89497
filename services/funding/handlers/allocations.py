"""分配 / allocations: allocate to a designated village, adjust, cancel."""

from __future__ import annotations

from collections.abc import Callable

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import Conflict, DomainError, NotFound

from shared.money import yuan

from services.funding.domain.access import FinanceScope
from services.funding.domain.allocation import Allocation
from services.funding.domain.commands import AdjustAllocation, AllocateFunds, CancelAllocation
from services.funding.domain.limits import (
    AllocationFigures,
    LineFigures,
    ensure_allocation_not_below_spent,
    ensure_line_covers,
    ensure_no_open_requests,
    ensure_tranche_not_below_spent,
)
from services.funding.domain.line import BudgetLine
from services.funding.domain.villages import ensure_fundable, ensure_not_revoked
from services.funding.handlers import tranches as tranche_release
from services.funding.handlers.ports import balances, directory
from services.funding.handlers.views import allocation_view, line_view


async def allocate(uow: UnitOfWork, cmd: AllocateFunds, scope: FinanceScope) -> dict:
    rows = balances(uow)
    await rows.share_village(cmd.village_code)
    heard = await directory(uow).designation(cmd.village_code)
    if heard is not None:
        ensure_not_revoked(cmd.village_code, heard["designated"], heard["revocation_reason"])
    await rows.lock_project(cmd.project_id)
    line_figures = await rows.lock_line(cmd.line_id)
    if line_figures is None:
        raise NotFound(f"未找到预算线 {cmd.line_id} / line {cmd.line_id} not found", field="line_id")
    scope.ensure(line_figures.scope, field="line_id")
    village = ensure_fundable(await directory(uow).village(cmd.village_code), cmd.village_code)
    await _ensure_matches_project(uow, cmd)
    line = await uow.load(BudgetLine, cmd.line_id)
    allocation = await uow.load(Allocation, cmd.allocation_id)
    allocation.allocate(cmd, line, village)
    ensure_line_covers(line_figures, cmd.amount_fen)

    payable_now = sum(t.amount_fen for t in cmd.tranches if t.milestone_id is None) if cmd.tranches else cmd.amount_fen
    if not await rows.insert_allocation(
        allocation_id=cmd.allocation_id, line_id=cmd.line_id, village_code=village.code,
        district=village.district, project_id=cmd.project_id, amount_fen=cmd.amount_fen, released_fen=payable_now,
    ):
        raise Conflict(f"分配 {cmd.allocation_id} 已存在 / allocation {cmd.allocation_id} already exists",
                       field="allocation_id")
    for t in cmd.tranches:
        await rows.insert_tranche(cmd.allocation_id, t.tranche_no, t.amount_fen, t.milestone_id)
    line_after = await rows.move_line(cmd.line_id, allocated=cmd.amount_fen)
    await rows.open_village(village.code, village.district)
    await rows.move_village(village.code, allocated=cmd.amount_fen)
    await rows.open_project(cmd.project_id, village.code)
    await rows.move_project(cmd.project_id, allocated=cmd.amount_fen)
    released = await tranche_release.release_already_verified(uow, allocation)
    await uow.save(allocation)
    figures = await rows.lock_allocation(cmd.allocation_id)
    return allocation_view(figures) | {"line": line_view(line_after), "released_tranches": released}


async def _ensure_matches_project(uow: UnitOfWork, cmd: AllocateFunds) -> None:
    """When assessment has told us of the project, the allocation must fit it. An unknown
    project is accepted: assessment's events may simply not have arrived yet."""
    if cmd.project_id is None or (project := await directory(uow).known_project(cmd.project_id)) is None:
        return
    if project["cancelled"]:
        raise Conflict(f"项目 {cmd.project_id} 已撤销，不能再分配资金 / project {cmd.project_id} was cancelled and takes "
                       "no new allocations", field="project_id")
    gone = sorted({t.milestone_id for t in cmd.tranches if t.milestone_id} & set(project["cancelled_milestones"]))
    if gone:
        raise Conflict(f"项目 {cmd.project_id} 的节点 {gone} 已撤销 / milestones {gone} of project {cmd.project_id} "
                       "were cancelled", field="tranches")
    if project["village_code"] != cmd.village_code:
        raise DomainError(f"项目 {cmd.project_id} 属于村 {project['village_code']} / project {cmd.project_id} belongs "
                          f"to village {project['village_code']}", field="village_code")
    if cmd.task_no is not None and cmd.task_no != project["task_no"]:
        raise DomainError(f"项目 {cmd.project_id} 属于任务 {project['task_no']} / project {cmd.project_id} is under "
                          f"task {project['task_no']}", field="task_no")
    unknown = sorted({t.milestone_id for t in cmd.tranches if t.milestone_id} - set(project["milestone_ids"]))
    if unknown:
        raise DomainError(f"项目 {cmd.project_id} 没有节点 {unknown} / project {cmd.project_id} has no milestones "
                          f"{unknown}", field="tranches")


async def lock_for_change(uow: UnitOfWork, allocation_id: str, scope: FinanceScope):
    keys = await balances(uow).allocation_keys(allocation_id)
    if keys is None:
        raise NotFound(f"未找到分配 {allocation_id} / allocation {allocation_id} not found", field="allocation_id")
    line: LineFigures = await balances(uow).lock_line(keys["line_id"])
    scope.ensure(line.scope, field="allocation_id")
    figures: AllocationFigures = await balances(uow).lock_allocation(allocation_id)
    tranches = await balances(uow).lock_tranches(allocation_id)
    allocation = await uow.load(Allocation, allocation_id)
    allocation.ensure_open()
    return line, figures, tranches, allocation


async def adjust(uow: UnitOfWork, cmd: AdjustAllocation, scope: FinanceScope, *, allocation_id: str) -> dict:
    rows = balances(uow)
    line, figures, tranches, allocation = await lock_for_change(uow, allocation_id, scope)
    allocation.ensure_not_frozen()
    allocation.adjust(cmd.amount_fen, cmd.reason, cmd.tranches)
    ensure_allocation_not_below_spent(figures, cmd.amount_fen)
    delta = cmd.amount_fen - figures.amount_fen
    if delta > 0:
        ensure_line_covers(line, delta)
    released_delta = delta if not tranches else 0
    for t in cmd.tranches:
        current = tranches[t.tranche_no]
        ensure_tranche_not_below_spent(allocation_id, current, t.amount_fen)
        await rows.move_tranche(allocation_id, t.tranche_no, amount=t.amount_fen - current.amount_fen)
        if current.released:
            released_delta += t.amount_fen - current.amount_fen
    after = await rows.move_allocation(allocation_id, amount=delta, released=released_delta)
    line_after = await rows.move_line(line.line_id, allocated=delta)
    await rows.move_village(allocation.village_code, allocated=delta)
    await rows.move_project(allocation.project_id, allocated=delta)
    await uow.save(allocation)
    return allocation_view(after) | {"line": line_view(line_after)}


async def cancel(uow: UnitOfWork, cmd: CancelAllocation, scope: FinanceScope, *, allocation_id: str) -> dict:
    def close(allocation: Allocation, figures: AllocationFigures) -> int:
        ensure_no_open_requests(figures)
        allocation.cancel(figures.paid_fen, cmd.reason)
        return figures.amount_fen - figures.paid_fen

    return await return_unpaid(uow, allocation_id, scope, close)


async def return_unpaid(uow: UnitOfWork, allocation_id: str, scope: FinanceScope,
                        close: Callable[[Allocation, AllocationFigures], int]) -> dict:
    """The allocation ends (``close`` records how and answers what it returns): what was not
    paid goes back to the line; the allocation keeps exactly what it paid."""
    rows = balances(uow)
    line, figures, tranches, allocation = await lock_for_change(uow, allocation_id, scope)
    returned = close(allocation, figures)
    for no, t in tranches.items():
        await rows.move_tranche(allocation_id, no, amount=t.paid_fen - t.amount_fen)
    after = await rows.move_allocation(allocation_id, amount=-returned,
                                           released=figures.paid_fen - figures.released_fen, cancel=True)
    line_after = await rows.move_line(line.line_id, allocated=-returned)
    await rows.move_village(allocation.village_code, allocated=-returned)
    await rows.move_project(allocation.project_id, allocated=-returned)
    await uow.save(allocation)
    return allocation_view(after) | {"line": line_view(line_after), "returned": yuan(returned)}
