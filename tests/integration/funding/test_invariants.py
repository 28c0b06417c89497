"""paid ≤ allocated ≤ appropriated per line, village and project — each rule passing and
refused, against the real PostgreSQL; a refusal writes nothing and names the amounts."""

from __future__ import annotations

import asyncpg
import pytest

from shared.eventstore.errors import Conflict, DomainError, Forbidden

from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import AdjustAppropriation, CancelAllocation, RejectDisbursement, ReverseDisbursement
from services.funding.handlers import allocations, budget, disbursements
from tests.integration.funding import steps
from tests.integration.funding.conftest import CITY


async def balances(h, allocation_id: str) -> dict:
    row = await h.fetchrow("select * from funding.allocation_balances where allocation_id = $1", allocation_id)
    return dict(row)


async def test_allocation_within_line_and_above_it_refused_writing_nothing(funding):
    village = await funding.village()
    line = await steps.line(funding, "1000.00")
    await steps.allocate(funding, line, village, "600.00")
    before = await funding.events()
    with pytest.raises(DomainError) as err:
        await steps.allocate(funding, line, village, "400.01")
    assert "可分配 400.00 元" in err.value.message and "asked 400.01" in err.value.message
    assert await funding.events() == before
    assert (await funding.fetchrow("select allocated_fen from funding.line_balances where line_id = $1", line))[0] == 60000
    await steps.allocate(funding, line, village, "400.00")  # exactly the rest fits


async def test_only_designated_and_not_revoked_villages_receive_allocations(funding):
    line = await steps.line(funding)
    plain = await funding.village(designated=False)
    with pytest.raises(DomainError, match="not a designated"):
        await steps.allocate(funding, line, plain, "1")
    with pytest.raises(DomainError, match="not in the register"):
        await steps.allocate(funding, line, "120119999999", "1")
    weak = await funding.village()
    await steps.allocate(funding, line, weak, "1")
    await funding.revoke(weak)
    with pytest.raises(Conflict, match="no longer designated"):
        await steps.allocate(funding, line, weak, "1")


async def test_district_officer_allocates_only_from_own_district_lines(funding):
    village = await funding.village("120114")
    city_line = await steps.line(funding)
    own_line = await steps.line(funding, scope="120114")
    officer = FinanceScope("wuqing", "120114")
    with pytest.raises(Forbidden):
        await steps.allocate(funding, city_line, village, "1", scope=officer)
    await steps.allocate(funding, own_line, village, "1", scope=officer)
    elsewhere = await funding.village("120119")
    with pytest.raises(DomainError, match="own district"):
        await steps.allocate(funding, own_line, elsewhere, "1")


async def test_pending_requests_reserve_so_approvals_cannot_overshoot(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "100.00")
    first = await steps.request(funding, alloc, "60.00")
    with pytest.raises(DomainError) as err:
        await steps.request(funding, alloc, "40.01")  # nothing approved yet, but 60 is reserved
    assert err.value.context["available"] == "40.00" and err.value.context["committed"] == "60.00"
    await steps.request(funding, alloc, "40.00")
    await steps.approve(funding, first["disbursement_id"])
    await steps.pay(funding, first["disbursement_id"])
    b = await balances(funding, alloc)
    assert (b["committed_fen"], b["paid_fen"], b["amount_fen"]) == (4000, 6000, 10000)


async def test_rejection_and_reversal_free_the_amount_again(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "100.00")
    d = (await steps.request(funding, alloc, "100.00"))["disbursement_id"]
    await funding.run(lambda uow: disbursements.reject(uow, RejectDisbursement(reason="材料不全"), CITY, disbursement_id=d))
    paid = await steps.paid(funding, alloc, "100.00")
    with pytest.raises(DomainError):
        await steps.request(funding, alloc, "0.01")
    await funding.run(lambda uow: disbursements.reverse(uow, ReverseDisbursement(reason="账户错误"), CITY, disbursement_id=paid))
    b = await balances(funding, alloc)
    assert (b["committed_fen"], b["paid_fen"]) == (0, 0)
    await steps.request(funding, alloc, "100.00")


async def test_four_eyes_by_subject(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "10.00")
    d = (await steps.request(funding, alloc, "10.00", by="alice"))["disbursement_id"]
    with pytest.raises(Forbidden):
        await steps.approve(funding, d, by="alice")
    with pytest.raises(Conflict, match="cannot pay"):
        await steps.pay(funding, d)
    await steps.approve(funding, d, by="bob")
    await steps.pay(funding, d)


async def test_allocation_adjusted_and_cancelled_only_down_to_what_is_spent(funding):
    village = await funding.village()
    line = await steps.line(funding, "1000.00")
    alloc = await steps.allocate(funding, line, village, "500.00", project_id="PRJ-1")
    await steps.paid(funding, alloc, "100.00")
    open_request = (await steps.request(funding, alloc, "50.00"))["disbursement_id"]
    with pytest.raises(DomainError, match="已支付 100.00 元，在途 50.00 元"):
        await steps.adjust(funding, alloc, "149.99")
    with pytest.raises(DomainError, match="可分配 500.00"):
        await steps.adjust(funding, alloc, "1000.01")  # growing beyond the line
    await steps.adjust(funding, alloc, "150.00")
    with pytest.raises(Conflict, match="open requests"):
        await funding.run(lambda uow: allocations.cancel(uow, CancelAllocation(reason="项目终止"), CITY, allocation_id=alloc))
    await funding.run(lambda uow: disbursements.reject(uow, RejectDisbursement(reason="撤回"), CITY, disbursement_id=open_request))
    result = await funding.run(lambda uow: allocations.cancel(uow, CancelAllocation(reason="项目终止"), CITY, allocation_id=alloc))
    assert (result["allocated"], result["returned"], result["line"]["unallocated"]) == ("100.00", "50.00", "900.00")


async def test_cancel_returns_the_unpaid_part_to_the_line(funding):
    village = await funding.village()
    line = await steps.line(funding, "1000.00")
    alloc = await steps.allocate(funding, line, village, "500.00", project_id="PRJ-2")
    await steps.paid(funding, alloc, "120.00")
    result = await funding.run(lambda uow: allocations.cancel(uow, CancelAllocation(reason="项目终止"), CITY, allocation_id=alloc))
    assert result["allocated"] == "120.00" and result["returned"] == "380.00"
    assert result["line"]["unallocated"] == "880.00"
    with pytest.raises(Conflict, match="cancelled"):
        await steps.request(funding, alloc, "0.01")
    village_row = await funding.fetchrow("select allocated_fen, paid_fen from funding.village_balances where village_code = $1", village)
    project_row = await funding.fetchrow("select allocated_fen, paid_fen from funding.project_balances where project_id = 'PRJ-2'")
    assert tuple(village_row) == tuple(project_row) == (12000, 12000)


async def test_line_cannot_be_cut_below_what_is_allocated(funding):
    village = await funding.village()
    line = await steps.line(funding, "1000.00")
    await steps.allocate(funding, line, village, "700.00")
    with pytest.raises(DomainError, match="已分配 700.00"):
        await funding.run(lambda uow: budget.adjust_appropriation(uow, AdjustAppropriation(amount="699.99", reason="x"), CITY, line_id=line))
    result = await funding.run(lambda uow: budget.adjust_appropriation(uow, AdjustAppropriation(amount="700", reason="压减"), CITY, line_id=line))
    assert result["appropriated"] == "700.00" and result["unallocated"] == "0.00"


async def test_check_constraints_hold_even_against_a_direct_write(funding):
    """The last line of defence: the database itself refuses a breach."""
    village = await funding.village()
    line = await steps.line(funding, "100.00")
    alloc = await steps.allocate(funding, line, village, "100.00")
    async with funding.pool.acquire() as conn:
        with pytest.raises(asyncpg.CheckViolationError, match="line_allocated_within_appropriated"):
            await conn.execute("update funding.line_balances set allocated_fen = 10001 where line_id = $1", line)
        with pytest.raises(asyncpg.CheckViolationError, match="allocation_spent_within_released"):
            await conn.execute("update funding.allocation_balances set paid_fen = 10001 where allocation_id = $1", alloc)
        with pytest.raises(asyncpg.CheckViolationError, match="village_paid_within_allocated"):
            await conn.execute("update funding.village_balances set paid_fen = 10001 where village_code = $1", village)


async def test_retry_with_the_same_idempotency_key_has_its_effect_once(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "100.00")
    first = await steps.request(funding, alloc, "30.00", disbursement_id="D-same", key="req-1")
    again = await steps.request(funding, alloc, "30.00", disbursement_id="D-same", key="req-1")
    assert first == again
    assert (await balances(funding, alloc))["committed_fen"] == 3000
    assert await funding.events("disbursement-D-same") == ["DisbursementRequested"]
    with pytest.raises(Conflict, match="already exists"):  # same id, no key: refused, not doubled
        await steps.request(funding, alloc, "30.00", disbursement_id="D-same")
