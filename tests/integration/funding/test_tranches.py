"""Milestone-released tranches: the reactor on assessment's MilestoneVerified, in any order."""

from __future__ import annotations

from datetime import date

import pytest

from shared.eventstore.errors import DomainError

from tests.integration.funding import steps

TRANCHES = [{"tranche_no": 1, "amount": "300.00"}, {"tranche_no": 2, "amount": "700.00", "milestone_id": "M-2"}]


async def tranche_released(h, alloc: str, no: int) -> bool:
    return await h.fetchval("select released from funding.tranche_balances where allocation_id = $1 and tranche_no = $2",
                            alloc, no)


async def test_verified_milestone_releases_its_tranche_once(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "1000.00", project_id="P-A",
                                 tranches=TRANCHES)
    await steps.request(funding, alloc, "300.00", tranche_no=1)  # the first tranche is payable at once
    with pytest.raises(DomainError, match="M-2") as err:
        await steps.request(funding, alloc, "1.00", tranche_no=2)
    assert err.value.field == "tranche_no"
    await funding.verify("P-A", "M-2", village, date(2022, 7, 1))
    assert await tranche_released(funding, alloc, 2)
    await funding.verify("P-A", "M-2", village, date(2022, 7, 2))  # verified again (a new event): no-op
    assert (await funding.events(f"allocation-{alloc}")).count("TrancheReleased") == 1
    await steps.request(funding, alloc, "700.00", tranche_no=2)
    with pytest.raises(DomainError, match="第 2 期"):
        await steps.request(funding, alloc, "0.01", tranche_no=2)


async def test_milestone_verified_before_the_allocation_releases_it_on_creation(funding):
    village = await funding.village()
    await funding.verify("P-B", "M-2", village, date(2022, 3, 1))
    alloc = await steps.allocate(funding, await steps.line(funding), village, "1000.00", project_id="P-B",
                                 tranches=TRANCHES)
    assert await tranche_released(funding, alloc, 2)
    assert await funding.events(f"allocation-{alloc}") == ["FundsAllocated", "TrancheReleased"]
    row = await funding.fetchrow("select released_fen from funding.allocation_balances where allocation_id = $1", alloc)
    assert row["released_fen"] == 100000


async def test_redelivered_and_replayed_verifications_do_not_release_twice(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "1000.00", project_id="P-C",
                                 tranches=TRANCHES)
    verified = await funding.verify("P-C", "M-2", village)
    logged = await funding.fetchval("select count(*) from es.events")
    # Kafka delivers the same record again (a consumer restarted before committing its offset).
    assert await funding.redeliver(verified) == 0
    # A rebuild empties the reactor's tables and positions, then replays from offset zero.
    async with funding.pool.acquire() as conn:
        await conn.execute("truncate funding.verified_milestones, funding.known_projects")
        await conn.execute("delete from proj.positions where projection = 'milestone_releases'")
    assert await funding.redeliver(verified) == 1  # applied again, as a rebuild does …
    assert (await funding.events(f"allocation-{alloc}")).count("TrancheReleased") == 1  # … and releases nothing
    assert await funding.fetchval("select count(*) from es.events") == logged


async def test_tranches_of_an_adjusted_allocation_keep_the_rules(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding), village, "1000.00", project_id="P-D",
                                 tranches=TRANCHES)
    d = (await steps.request(funding, alloc, "200.00", tranche_no=1))["disbursement_id"]
    await steps.approve(funding, d)
    await steps.pay(funding, d)
    with pytest.raises(DomainError, match="第 1 期不能调减"):
        await steps.adjust(funding, alloc, "800.00", tranches=[{"tranche_no": 1, "amount": "100.00"},
                                                               {"tranche_no": 2, "amount": "700.00", "milestone_id": "M-2"}])
    result = await steps.adjust(funding, alloc, "900.00", tranches=[
        {"tranche_no": 1, "amount": "200.00"}, {"tranche_no": 2, "amount": "700.00", "milestone_id": "M-2"}])
    assert (result["allocated"], result["released"], result["available"]) == ("900.00", "200.00", "0.00")
    await funding.verify("P-D", "M-2", village)
    row = await funding.fetchrow("select released_fen from funding.allocation_balances where allocation_id = $1", alloc)
    assert row["released_fen"] == 90000
