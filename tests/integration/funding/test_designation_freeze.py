"""撤销认定 → 资金冻结: a village that leaves the list takes no new money, its open
allocations are frozen until the city office releases the remainder or records an
exception, and a village designated again is open again — against the real PostgreSQL,
with registry's events delivered as the worker delivers them."""

from __future__ import annotations

import pytest

from shared.eventstore.errors import Conflict

from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import RecordFreezeException, ReleaseFrozenRemainder
from services.funding.handlers import freezes
from tests.integration.funding import steps

OFFICE = FinanceScope("city-office", None)


async def revoke(h, code: str, reason: str = "graduated", run_id: str | None = "run-2"):
    payload = {"code": code, "district": code[:6], "run_id": run_id, "reason": reason}
    return await h.deliver("registry", "DesignationRevoked", payload, f"village-{code}")


async def designate(h, code: str):
    return await h.deliver("registry", "VillageDesignated", {
        "code": code, "district": code[:6], "run_id": "run-3", "rank": 5, "average_fen": 1}, f"village-{code}")


async def release(h, allocation_id: str, reason: str = "认定撤销，余额退回", key: str | None = None) -> dict:
    cmd = ReleaseFrozenRemainder(reason=reason)
    return await h.run(lambda uow: freezes.release_remainder(uow, cmd, OFFICE, allocation_id=allocation_id),
                       body={"allocation_id": allocation_id, **cmd.model_dump()} if key else None, key=key,
                       actor="city_office:office")


async def except_(h, allocation_id: str, reason: str = "合同已签，继续拨付") -> dict:
    cmd = RecordFreezeException(reason=reason)
    return await h.run(lambda uow: freezes.record_exception(uow, cmd, OFFICE, allocation_id=allocation_id),
                       actor="city_office:office")


async def figures(h, allocation_id: str) -> dict:
    return dict(await h.fetchrow(
        """select a.amount_fen, a.paid_fen, a.committed_fen, a.cancelled, l.allocated_fen as line_allocated_fen
           from funding.allocation_balances a join funding.line_balances l using (line_id)
           where allocation_id = $1""", allocation_id))


async def test_revocation_refuses_new_allocations_and_requests_and_freezes_once(funding):
    village = await funding.village()
    line = await steps.line(funding, "1000.00")
    alloc = await steps.allocate(funding, line, village, "600.00")
    await steps.paid(funding, alloc, "100.00")
    revoked = await revoke(funding, village, reason="graduated")
    assert await funding.events(f"allocation-{alloc}") == ["FundsAllocated", "AllocationFrozen"]
    assert await funding.redeliver(revoked) == 0  # Kafka delivers it again: nothing more
    await revoke(funding, village, reason="graduated", run_id="run-9")  # a second revocation: already frozen
    assert (await funding.events(f"allocation-{alloc}")).count("AllocationFrozen") == 1

    before = await funding.events()
    with pytest.raises(Conflict, match="no longer designated") as err:
        await steps.allocate(funding, line, village, "1.00")
    assert err.value.status_code == 409 and err.value.field == "village_code"
    assert "graduated" in err.value.message and "已撤销经济薄弱村认定" in err.value.message
    with pytest.raises(Conflict, match="frozen") as err:
        await steps.request(funding, alloc, "1.00")
    assert err.value.field == "allocation_id" and err.value.context["revocation_reason"] == "graduated"
    with pytest.raises(Conflict, match="frozen"):
        await steps.adjust(funding, alloc, "700.00")
    assert await funding.events() == before  # nothing written by the refusals

    await funding.sync_ledger()
    row = await funding.fetchrow("select status, freeze_reason from ledger.allocations where allocation_id = $1", alloc)
    assert (row["status"], row["freeze_reason"]) == ("frozen", "graduated")


async def test_city_office_releases_the_unpaid_remainder_to_the_line_once(funding):
    village = await funding.village()
    line = await steps.line(funding, "1000.00")
    alloc = await steps.allocate(funding, line, village, "600.00")
    await steps.paid(funding, alloc, "100.00")
    pending = (await steps.request(funding, alloc, "50.00"))["disbursement_id"]
    await revoke(funding, village, reason=" ")  # no reason given (blank): frozen all the same
    payload = await funding.fetchval(
        "select payload from es.events where stream_id = $1 and type = 'AllocationFrozen'", f"allocation-{alloc}")
    assert payload["revocation_reason"] is None and payload["unspent_fen"] == 50000

    with pytest.raises(Conflict, match="open requests"):  # what is reserved is settled first
        await release(funding, alloc)
    await steps.approve(funding, pending)
    await steps.pay(funding, pending)  # a request made before the revocation may still be paid
    result = await release(funding, alloc, key="rel-1")
    assert result["returned"] == "450.00" and result["cancelled"] is True
    assert await release(funding, alloc, key="rel-1") == result  # the same key: answered again, nothing more
    assert await figures(funding, alloc) == {"amount_fen": 15000, "paid_fen": 15000, "committed_fen": 0,
                                            "cancelled": True, "line_allocated_fen": 15000}
    with pytest.raises(Conflict, match="cancelled"):
        await release(funding, alloc)
    assert (await funding.events(f"allocation-{alloc}")).count("FrozenRemainderReleased") == 1
    await funding.sync_ledger()
    movements = await funding.fetchval(
        "select sum(amount_fen) from ledger.movements where allocation_id = $1 and kind = 'allocation'", alloc)
    assert movements == 15000  # 600 allocated, 450 back to the line


async def test_an_exception_lets_payments_go_on(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "300.00")
    await revoke(funding, village)
    with pytest.raises(Conflict, match="is not frozen"):
        await except_(funding, await steps.allocate(funding, await steps.line(funding),
                                                    await funding.village(), "1.00"))
    await except_(funding, alloc)
    await steps.paid(funding, alloc, "300.00")
    with pytest.raises(Conflict, match="is not frozen"):
        await release(funding, alloc)  # excepted: no longer frozen
    await funding.sync_ledger()
    row = await funding.fetchrow("select status, freeze_exception from ledger.allocations where allocation_id = $1",
                                 alloc)
    assert (row["status"], row["freeze_exception"]) == ("active", "合同已签，继续拨付")


async def test_designated_again_is_open_again(funding):
    village = await funding.village()
    line = await steps.line(funding)
    alloc = await steps.allocate(funding, line, village, "300.00")
    await revoke(funding, village, reason="rescreened")
    await designate(funding, village)
    assert await funding.events(f"allocation-{alloc}") == ["FundsAllocated", "AllocationFrozen", "AllocationUnfrozen"]
    await steps.request(funding, alloc, "10.00")
    await steps.allocate(funding, line, village, "10.00")
    assert await funding.fetchval("select designated from funding.village_designations where village_code = $1",
                                  village)


async def test_rebuilding_the_reactor_freezes_nothing_twice(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "300.00")
    revoked = await revoke(funding, village)
    logged = await funding.fetchval("select count(*) from es.events")
    async with funding.pool.acquire() as conn:
        await conn.execute("truncate funding.village_designations")
        await conn.execute("delete from proj.positions where projection = 'designation_freezes'")
    assert await funding.redeliver(revoked) >= 1
    assert await funding.fetchval("select count(*) from es.events") == logged
    assert (await funding.events(f"allocation-{alloc}")).count("AllocationFrozen") == 1
