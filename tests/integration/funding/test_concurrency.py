"""Many requests at one allocation at once: the total never passes the limit."""

from __future__ import annotations

import asyncio

from shared.eventstore.errors import DomainError

from tests.integration.funding import steps


async def test_fifty_concurrent_requests_never_exceed_the_allocation(funding):
    village = await funding.village()
    alloc = await steps.allocate(funding, await steps.line(funding, "10000.00"), village, "1000.00")

    async def one(i: int):
        try:
            return await steps.request(funding, alloc, "70.00", by=f"officer-{i}")
        except DomainError as exc:
            return exc

    results = await asyncio.gather(*(one(i) for i in range(50)))
    accepted = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(accepted) + len(refused) == 50
    assert len(accepted) == 14  # 14 × 70 = 980 ≤ 1000 < 15 × 70
    assert all(r.context["limit"] == "allocation_amount" for r in refused)
    row = await funding.fetchrow("select committed_fen, amount_fen from funding.allocation_balances "
                                 "where allocation_id = $1", alloc)
    assert row["committed_fen"] == 14 * 7000 <= row["amount_fen"]
    assert (await funding.events("disbursement-")).count("DisbursementRequested") == 14


async def test_concurrent_allocations_never_exceed_the_line(funding):
    villages = [await funding.village() for _ in range(5)]
    line = await steps.line(funding, "1000.00")

    async def one(i: int):
        try:
            return await steps.allocate(funding, line, villages[i % 5], "90.00")
        except DomainError as exc:
            return exc

    results = await asyncio.gather(*(one(i) for i in range(30)))
    assert sum(isinstance(r, str) for r in results) == 11
    row = await funding.fetchrow("select allocated_fen, appropriated_fen from funding.line_balances where line_id = $1", line)
    assert row["allocated_fen"] == 99000 <= row["appropriated_fen"]
