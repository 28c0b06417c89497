"""Releasing tranches: when their milestone is verified, or at once when it was verified before."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import asyncpg

from shared.eventstore import UnitOfWork

from services.funding.adapters.balances import PgBalances
from services.funding.domain.allocation import Allocation
from services.funding.handlers.ports import balances, directory


async def release(uow: UnitOfWork, allocation: Allocation, milestone_id: str, released_on: date) -> list[int]:
    """Release the allocation's tranches tied to ``milestone_id`` (the caller holds the
    allocation's row lock); their events are saved with the allocation."""
    numbers = allocation.release(milestone_id, released_on)
    for no in numbers:
        await balances(uow).move_tranche(allocation.key, no, release=True)
        await balances(uow).move_allocation(allocation.key, released=allocation.tranches[no].amount_fen)
    return numbers


async def release_already_verified(uow: UnitOfWork, allocation: Allocation) -> list[int]:
    """A milestone may be verified before the allocation naming it exists: release now."""
    released = []
    for milestone_id in sorted({t.milestone_id for t in allocation.tranches.values() if t.milestone_id}):
        verified_on = await directory(uow).verified_on(allocation.project_id, milestone_id)
        if verified_on is not None:
            released += await release(uow, allocation, milestone_id, verified_on)
    return released


async def lock_for_reactions(conn: asyncpg.Connection, verified: Sequence[tuple[str, str]],
                             cancelled: Sequence[tuple[str, list[str] | None]]) -> None:
    """A batch with cancellations as well: those move the lines' totals, so every line the
    batch may touch is taken FOR UPDATE (in id order) instead of FOR KEY SHARE."""
    if not cancelled:
        await lock_for_releases(conn, verified)
        return
    balance_rows = PgBalances(conn)
    await balance_rows.lock_projects([p for p, _ in verified] + [p for p, _ in cancelled])
    rows = await balance_rows.waiting_on(verified) if verified else []
    for project_id, milestone_ids in cancelled:
        rows += await balance_rows.withdrawable(project_id, milestone_ids)
    await balance_rows.lock_lines(r["line_id"] for r in rows)
    await balance_rows.lock_allocations(r["allocation_id"] for r in rows)


async def on_cancelled(uow: UnitOfWork, project_id: str, milestone_ids: list[str] | None, reason: str) -> list[str]:
    """A project (``milestone_ids`` None) or some of its milestones were cancelled: every
    tranche still waiting on them goes back to its line (the batch holds the locks)."""
    rows = balances(uow)
    await rows.lock_project(project_id)
    touched = []
    for row in await rows.withdrawable(project_id, milestone_ids):
        allocation_id = row["allocation_id"]
        await rows.lock_line(row["line_id"])
        await rows.lock_allocation(allocation_id)
        await rows.lock_tranches(allocation_id)
        allocation = await uow.load(Allocation, allocation_id)
        gone = allocation.withdraw_unreleased(None if milestone_ids is None else set(milestone_ids), reason)
        if not gone:
            continue
        total = sum(gone.values())
        for no, amount in gone.items():
            await rows.move_tranche(allocation_id, no, amount=-amount)
        await rows.move_allocation(allocation_id, amount=-total, cancel=allocation.cancelled)
        await rows.move_line(row["line_id"], allocated=-total)
        await rows.move_village(allocation.village_code, allocated=-total)
        await rows.move_project(allocation.project_id, allocated=-total)
        await uow.save(allocation)
        touched.append(allocation_id)
    return touched


async def lock_for_releases(conn: asyncpg.Connection, milestones: Sequence[tuple[str, str]]) -> None:
    """Everything releasing these ``(project_id, milestone_id)`` will lock, taken up front in
    funding's one lock order (adapters/migrations/0001_funding.sql): the projects, then the lines and the
    allocations waiting on them, each kind sorted. A reactor batch spans many projects; taken
    event by event, its locks would interleave (one project's allocation rows, then the next
    project's lock) and cross a command that holds that project's lock and wants the line."""
    balance_rows = PgBalances(conn)
    await balance_rows.lock_projects(project_id for project_id, _ in milestones)
    waiting = await balance_rows.waiting_on(milestones)
    await balance_rows.share_lines(r["line_id"] for r in waiting)
    await balance_rows.lock_allocations(r["allocation_id"] for r in waiting)


async def on_milestone_verified(uow: UnitOfWork, project_id: str, milestone_id: str, verified_on: date) -> list[str]:
    """The reactor's reaction: every allocation waiting on this milestone releases it (its
    locks are already held when the batch took them all with ``lock_for_releases``)."""
    await balances(uow).lock_project(project_id)
    touched = []
    for allocation_id in await balances(uow).unreleased_allocations(project_id, milestone_id):
        await balances(uow).lock_allocation(allocation_id)
        allocation = await uow.load(Allocation, allocation_id)
        if await release(uow, allocation, milestone_id, verified_on):
            await uow.save(allocation)
            touched.append(allocation_id)
    return touched
