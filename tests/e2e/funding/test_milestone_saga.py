"""The milestone saga through the real broker: assessment verifies, funding releases the
tranche — also with funding's worker killed in the middle, and with a milestone verified
before the allocation that waits for it exists."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from datetime import date

import asyncpg
import pytest

from shared.http.auth import Role

from tests.e2e.funding.conftest import wait_for

pytestmark = pytest.mark.e2e


async def released_tranches(settings, allocation_id: str) -> list[int]:
    conn = await asyncpg.connect(settings.dsn("funding"))
    try:
        rows = await conn.fetch("select payload from es.events where stream_id = $1 and type = 'TrancheReleased' "
                                "order by stream_version", f"allocation-{allocation_id}")
    finally:
        await conn.close()
    return [json.loads(r["payload"])["tranche_no"] for r in rows]


async def payable(funding, allocation_id: str) -> set[int]:
    r = await funding.get(f"/allocations/{allocation_id}")
    if r.status_code != 200:
        return set()
    return {t["tranche_no"] for t in r.json()["tranches"] if t["payable"]}


async def test_milestones_release_tranches_across_worker_restarts(funding, stack, settings, token):
    village = await funding.designated_village()
    project = f"P-{secrets.token_hex(4)}"
    line = await funding.line("10000.00")
    alloc = await funding.allocation(line, village, "1000.00", project_id=project, task_no=1, tranches=[
        {"tranche_no": 1, "amount": "200.00"},
        {"tranche_no": 2, "amount": "300.00", "milestone_id": "M1"},
        {"tranche_no": 3, "amount": "300.00", "milestone_id": "M2"},
        {"tranche_no": 4, "amount": "200.00", "milestone_id": "M3"}])
    requester = token(Role.finance_officer, subject="saga-requester")
    early = await funding.post("/disbursements", {"disbursement_id": f"D-{alloc}-early", "allocation_id": alloc,
                                                  "amount": "300.00", "tranche_no": 2}, requester)
    assert early.status_code == 422 and early.json()["detail"][0]["loc"] == ["body", "tranche_no"]

    started = time.monotonic()
    await funding.verify_milestone(project, "M1", village, date(2022, 6, 1))
    await wait_for(lambda: _has(funding, alloc, 2), "tranche 2 released")
    print(f"\nMilestoneVerified → tranche payable in funding: {(time.monotonic() - started) * 1000:.0f} ms / 节点放款延迟")

    later = f"P-{secrets.token_hex(4)}"
    try:
        # Funding's worker dies. Assessment keeps verifying, also a milestone of a project
        # no allocation names yet.
        stack.kill("funding-worker")
        await funding.verify_milestone(project, "M2", village, date(2022, 9, 1))
        await funding.verify_milestone(later, "M9", village, date(2022, 9, 2))
        # Then assessment's worker dies too: its next verification waits in its outbox.
        await asyncio.sleep(1.0)
        stack.kill("assessment-worker")
        await funding.verify_milestone(project, "M3", village, date(2022, 10, 1))
        assert not {3, 4} & await payable(funding, alloc)  # nobody consumed anything yet
        meanwhile = await funding.post("/disbursements", {"disbursement_id": f"D-{alloc}-1", "allocation_id": alloc,
                                                          "amount": "200.00", "tranche_no": 1}, requester)
        assert meanwhile.status_code == 201  # the API does not need the worker
        stack.start_worker("funding")
        await wait_for(lambda: _has(funding, alloc, 3), "tranche 3 released after funding's restart", timeout=90)
        assert 4 not in await payable(funding, alloc)
        stack.start_worker("assessment")
        await wait_for(lambda: _has(funding, alloc, 4), "tranche 4 released after assessment's restart", timeout=90)
    finally:
        for service in ("funding", "assessment"):
            if f"{service}-worker" not in stack.procs:
                stack.start_worker(service)

    async def later_known():
        conn = await asyncpg.connect(settings.dsn("funding"))
        try:
            return await conn.fetchval("select 1 from funding.verified_milestones where project_id = $1", later)
        finally:
            await conn.close()

    await wait_for(later_known, "the early verification recorded")
    late_alloc = await funding.allocation(line, village, "400.00", project_id=later, tranches=[
        {"tranche_no": 1, "amount": "400.00", "milestone_id": "M9"}])
    assert await released_tranches(settings, late_alloc) == [1]  # released on creation

    # The money is right: every tranche released exactly once, and all of it can be paid, not a fen more.
    approver = token(Role.finance_officer, subject="saga-approver")
    for no, amount in ((2, "300.00"), (3, "300.00"), (4, "200.00")):
        r = await funding.post("/disbursements", {"disbursement_id": f"D-{alloc}-{no}", "allocation_id": alloc,
                                                  "amount": amount, "tranche_no": no}, requester)
        assert r.status_code == 201, r.text
    for no in (1, 2, 3, 4):
        assert (await funding.post(f"/disbursements/D-{alloc}-{no}/approve", None, approver)).status_code == 200
        assert (await funding.post(f"/disbursements/D-{alloc}-{no}/pay", {"voucher_no": f"V{no}"},
                                   approver)).status_code == 200
    assert sorted(await released_tranches(settings, alloc)) == [2, 3, 4]
    over = await funding.post("/disbursements", {"disbursement_id": f"D-{alloc}-over", "allocation_id": alloc,
                                                 "amount": "0.01", "tranche_no": 4}, requester)
    assert over.status_code == 422

    async def reconciled():
        r = await funding.get("/reconciliation", params={"from": "2000-01-01", "to": "2100-12-31"})
        row = next((a for a in r.json()["allocations"] if a["allocation_id"] == alloc), None)
        return row is not None and row["paid"] == "1000.00" and r.json()

    report = await wait_for(reconciled, "all four tranches paid in the reconciliation")
    assert not [b for b in report["breaks"] if b["allocation_id"] in (alloc, late_alloc)]


async def _has(funding, allocation_id: str, tranche_no: int) -> bool:
    return tranche_no in await payable(funding, allocation_id)
