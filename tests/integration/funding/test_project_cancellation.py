"""A project or milestone cancelled in assessment returns the tranches still waiting on it to
the line — exactly once, whatever Kafka redelivers or a rebuild replays."""

from __future__ import annotations

import pytest

from shared.eventstore.errors import Conflict

from tests.integration.funding import steps

TRANCHES = [{"tranche_no": 1, "amount": "300.00"},
            {"tranche_no": 2, "amount": "300.00", "milestone_id": "M-2"},
            {"tranche_no": 3, "amount": "400.00", "milestone_id": "M-3"}]


async def plan(h, project_id: str, village: str):
    return await h.deliver("assessment", "ProjectPlanned", {
        "project_id": project_id, "village_code": village, "district": village[:6], "action_code": "industry",
        "task_no": 1, "title": "大棚", "planned_start": "2022-01-01", "planned_end": "2022-12-31",
        "milestones": [{"milestone_id": m, "title": m, "due_on": "2022-06-30"} for m in ("M-2", "M-3")]},
        f"project-{project_id}")


async def cancel_project(h, project_id: str, village: str, milestones: list[str]):
    return await h.deliver("assessment", "ProjectCancelled", {
        "project_id": project_id, "village_code": village, "district": village[:6], "task_no": 1,
        "cancelled_on": "2022-08-01", "cancelled_milestone_ids": milestones, "reason": "终止"}, f"project-{project_id}")


async def cancel_milestone(h, project_id: str, milestone_id: str, village: str):
    return await h.deliver("assessment", "MilestoneCancelled", {
        "project_id": project_id, "milestone_id": milestone_id, "village_code": village, "district": village[:6],
        "cancelled_on": "2022-08-01", "reason": "取消"}, f"project-{project_id}")


async def balances(h, alloc: str, line: str) -> tuple:
    a = await h.fetchrow("select amount_fen, released_fen, cancelled from funding.allocation_balances"
                         " where allocation_id = $1", alloc)
    line_allocated = await h.fetchval("select allocated_fen from funding.line_balances where line_id = $1", line)
    return (a["amount_fen"], a["released_fen"], a["cancelled"], line_allocated)


async def test_a_cancelled_project_returns_its_unreleased_tranches_once(funding):
    village = await funding.village()
    line = await steps.line(funding, "2000.00")
    await plan(funding, "P-X", village)
    alloc = await steps.allocate(funding, line, village, "1000.00", project_id="P-X", tranches=TRANCHES)
    first = (await steps.request(funding, alloc, "100.00", tranche_no=1))["disbursement_id"]
    await steps.approve(funding, first)
    await steps.pay(funding, first)
    await funding.verify("P-X", "M-2", village)  # tranche 2 released before the cancellation: it stays
    cancelled = await cancel_project(funding, "P-X", village, ["M-3"])
    assert await balances(funding, alloc, line) == (60000, 60000, False, 60000)
    assert await funding.events(f"allocation-{alloc}") == ["FundsAllocated", "TrancheReleased", "AllocationAdjusted"]
    assert await funding.redeliver(cancelled) == 0  # redelivered by Kafka
    async with funding.pool.acquire() as conn:  # rebuilt from offset zero
        await conn.execute("truncate funding.verified_milestones, funding.known_projects")
        await conn.execute("delete from proj.positions where projection = 'milestone_releases'")
    assert await funding.redeliver(cancelled) == 1
    assert (await funding.events(f"allocation-{alloc}")).count("AllocationAdjusted") == 1
    assert await balances(funding, alloc, line) == (60000, 60000, False, 60000)
    await steps.request(funding, alloc, "300.00", tranche_no=2)  # what was released is still payable
    await funding.sync_ledger()
    row = await funding.fetchrow("select amount_fen from ledger.allocations where allocation_id = $1", alloc)
    assert row["amount_fen"] == 60000


async def test_an_allocation_nothing_of_which_was_payable_is_cancelled_and_no_new_one_names_the_project(funding):
    village = await funding.village()
    line = await steps.line(funding, "2000.00")
    await plan(funding, "P-Y", village)
    alloc = await steps.allocate(funding, line, village, "700.00", project_id="P-Y",
                                 tranches=[t for t in TRANCHES if t.get("milestone_id")])
    await cancel_project(funding, "P-Y", village, ["M-2", "M-3"])
    assert await balances(funding, alloc, line) == (0, 0, True, 0)
    assert await funding.events(f"allocation-{alloc}") == ["FundsAllocated", "AllocationCancelled"]
    before = await funding.events()
    with pytest.raises(Conflict, match="cancelled") as err:
        await steps.allocate(funding, line, village, "1.00", project_id="P-Y")
    assert err.value.status_code == 409 and err.value.field == "project_id"
    assert await funding.events() == before


async def test_a_cancelled_milestone_returns_only_its_tranche(funding):
    village = await funding.village()
    line = await steps.line(funding, "2000.00")
    await plan(funding, "P-Z", village)
    alloc = await steps.allocate(funding, line, village, "1000.00", project_id="P-Z", tranches=TRANCHES)
    cancelled = await cancel_milestone(funding, "P-Z", "M-3", village)
    await funding.redeliver(cancelled)
    assert await balances(funding, alloc, line) == (60000, 30000, False, 60000)
    assert await funding.fetchval("select amount_fen from funding.tranche_balances where allocation_id = $1"
                                  " and tranche_no = 3", alloc) == 0
    await funding.verify("P-Z", "M-2", village)  # the other milestone still releases its tranche
    assert await balances(funding, alloc, line) == (60000, 60000, False, 60000)
    with pytest.raises(Conflict, match="M-3"):
        await steps.allocate(funding, line, village, "400.00", project_id="P-Z",
                             tranches=[{"tranche_no": 1, "amount": "400.00", "milestone_id": "M-3"}])
