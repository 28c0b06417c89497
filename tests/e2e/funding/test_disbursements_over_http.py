"""Disbursements through the running API: parallel requests at one allocation, four eyes,
refusals that name the limit, idempotent retries, access by role and scope, exports."""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
import time
from decimal import Decimal

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook

from shared.http.auth import Role

from tests.e2e.funding.conftest import wait_for
from tests.support.db import events_written

pytestmark = pytest.mark.e2e


async def committed_and_paid(settings, allocation_id: str) -> tuple[int, int, int]:
    conn = await asyncpg.connect(settings.dsn("funding"))
    try:
        row = await conn.fetchrow("select committed_fen, paid_fen, amount_fen from funding.allocation_balances "
                                  "where allocation_id = $1", allocation_id)
    finally:
        await conn.close()
    return tuple(row)


async def test_fifty_parallel_requests_never_pass_the_allocation(funding, token, settings):
    village = await funding.designated_village()
    alloc = await funding.allocation(await funding.line("100000.00"), village, "1000.00")
    officers = [token(Role.finance_officer, subject=f"officer-{i % 5}") for i in range(50)]
    bodies = [{"disbursement_id": f"D-{alloc}-{i}", "allocation_id": alloc, "amount": "70.00"} for i in range(50)]

    async def fire(client: httpx.AsyncClient, i: int) -> httpx.Response:
        return await client.post("/disbursements", json=bodies[i],
                                 headers=officers[i] | {"Idempotency-Key": f"req-{alloc}-{i}"})

    def client() -> httpx.AsyncClient:
        # A fresh client per wave: on a loaded machine the server may close a connection that
        # sat idle past its keep-alive while the first wave finished, and reusing it fails.
        return httpx.AsyncClient(base_url=funding.url, timeout=60, limits=httpx.Limits(max_connections=50))

    async with client() as first_wave:
        started = time.monotonic()
        first = await asyncio.gather(*(fire(first_wave, i) for i in range(50)))
        elapsed = time.monotonic() - started
    async with client() as second_wave:
        retried = await asyncio.gather(*(fire(second_wave, i) for i in range(50)))  # every client retries
    statuses = sorted(r.status_code for r in first)
    print(f"\n50 parallel requests at one allocation: {elapsed * 1000:.0f} ms; "
          f"{statuses.count(201)} accepted / 并发申请")
    assert statuses.count(201) == 14 and statuses.count(422) == 36, statuses  # 14 × 70 ≤ 1000 < 15 × 70
    refusal = next(r for r in first if r.status_code == 422).json()["detail"][0]
    assert refusal["loc"] == ["body", "amount"] and refusal["ctx"]["limit"] == "allocation_amount"
    assert "1000.00" in refusal["msg"] and "70.00" in refusal["msg"]
    accepted = {i for i, r in enumerate(first) if r.status_code == 201}
    assert {i for i, r in enumerate(retried) if r.status_code == 200} == accepted  # replayed, not doubled
    assert all(retried[i].json() == first[i].json() for i in accepted)
    committed, paid, amount = await committed_and_paid(settings, alloc)
    assert committed == 14 * 7000 <= amount and paid == 0


async def test_workflow_with_four_eyes_over_http(funding, token, settings):
    village = await funding.designated_village("120114")
    alloc = await funding.allocation(await funding.line("5000.00", scope="120114", source="district"), village, "500.00")
    alice = token(Role.finance_officer, subject="alice", district="120114")
    bob = token(Role.finance_officer, subject="bob", district="120114")
    d = f"D-{secrets.token_hex(4)}"
    r = await funding.post("/disbursements", {"disbursement_id": d, "allocation_id": alloc, "amount": "200.00"}, alice)
    assert r.status_code == 201 and r.json()["allocation"]["available"] == "300.00", r.text
    assert (await funding.post(f"/disbursements/{d}/approve", None, alice)).status_code == 403  # the requester
    assert (await funding.post(f"/disbursements/{d}/pay", {"voucher_no": "V-1"}, bob)).status_code == 409  # unapproved
    assert (await funding.post(f"/disbursements/{d}/approve", None, bob)).status_code == 200
    paid = await funding.post(f"/disbursements/{d}/pay", {"voucher_no": "V-1", "paid_on": "2022-09-01"}, bob)
    assert paid.status_code == 200 and paid.json()["allocation"]["paid"] == "200.00"
    reversed_ = await funding.post(f"/disbursements/{d}/reverse", {"reason": "账户错误"}, alice)
    assert reversed_.status_code == 200 and reversed_.json()["allocation"]["available"] == "500.00"
    bad = await funding.post(f"/disbursements/{d}/reject", {"reason": ""}, bob)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "reason"

    async def shown():
        r = await funding.get(f"/disbursements/{d}", alice)
        return r.status_code == 200 and r.json()["status"] == "reversed" and r.json()

    shown_row = await wait_for(shown, "the reversal in the ledger")
    assert (shown_row["requested_by"], shown_row["approved_by"]) == ("alice", "bob")


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": "1.001"}, "amount"), ({"amount": "-5"}, "amount"), ({"village_code": "12011900001"}, "village_code"),
    ({"village_code": "120119999999"}, "village_code"), ({"task_no": 20}, "task_no"),
    ({"allocation_id": "bad id"}, "allocation_id"), ({"line_id": "L-none"}, "line_id"),
])
async def test_bad_allocation_input_gets_a_field_level_4xx_and_writes_nothing(funding, settings, change, field):
    village = await funding.designated_village()
    line = await funding.line("100.00")
    body = {"allocation_id": f"A-{secrets.token_hex(4)}", "line_id": line, "village_code": village,
            "amount": "10.00"} | change
    before = await events_written(settings.dsn("funding"))
    r = await funding.post("/allocations", body)
    assert r.status_code in (404, 422), r.text
    assert any(field in item["loc"] for item in r.json()["detail"]), r.json()
    assert await events_written(settings.dsn("funding")) == before


async def test_access_by_role_and_scope(funding, token, settings):
    mine = await funding.designated_village("120119")
    other = await funding.designated_village("120119")
    alloc = await funding.allocation(await funding.line("1000.00"), mine, "100.00")
    await funding.assign_team("UNIT-e2e", mine)
    body = {"disbursement_id": f"D-{secrets.token_hex(4)}", "allocation_id": alloc, "amount": "1.00"}
    before = await events_written(settings.dsn("funding"))
    assert (await funding.post("/disbursements", body, headers={})).status_code == 401
    for role in (Role.public, Role.unit, Role.assessor):
        assert (await funding.post("/disbursements", body, token(role))).status_code == 403
    wuqing = token(Role.finance_officer, subject="w", district="120114")
    assert (await funding.post("/disbursements", body, wuqing)).status_code == 403  # another district's village
    assert await events_written(settings.dsn("funding")) == before
    assert (await funding.get(f"/villages/{mine}", token(Role.public))).status_code == 403
    assert (await funding.get("/lines", token(Role.unit, unit="UNIT-e2e"))).status_code == 403
    unit = token(Role.unit, unit="UNIT-e2e")

    async def unit_sees_its_village():
        return (await funding.get(f"/villages/{mine}", unit)).status_code == 200

    await wait_for(unit_sees_its_village, "the team's village in funding's reach")
    assert (await funding.get(f"/villages/{other}", unit)).status_code == 403
    listed = (await funding.get("/allocations", unit)).json()["items"]
    assert {a["village_code"] for a in listed} <= {mine}
    jizhou = token(Role.finance_officer, subject="j", district="120119")
    assert (await funding.post("/disbursements", body, jizhou)).status_code == 201


async def test_reconciliation_exports_over_http(funding, token):
    village = await funding.designated_village("120117")
    line = await funding.line("800.00", scope="120117", source="town")
    alloc = await funding.allocation(line, village, "600.00")
    officer = token(Role.finance_officer, subject="ninghe-1", district="120117")
    d = f"D-{secrets.token_hex(4)}"
    assert (await funding.post("/disbursements", {"disbursement_id": d, "allocation_id": alloc, "amount": "250.00"},
                               officer)).status_code == 201
    assert (await funding.post(f"/disbursements/{d}/approve", None, funding.city)).status_code == 200
    assert (await funding.post(f"/disbursements/{d}/pay", {"voucher_no": "NH-1"}, officer)).status_code == 200
    query = {"from": "2000-01-01", "to": "2100-12-31", "source": "town"}

    async def reconciled():
        r = await funding.get("/reconciliation", officer, params=query)
        rows = {a["allocation_id"]: a for a in r.json()["allocations"]}
        return alloc in rows and rows[alloc]["paid"] == "250.00" and r.json()

    report = await wait_for(reconciled, "the payment in the reconciliation")
    assert {a["district"] for a in report["allocations"]} == {"120117"}  # the officer's district only
    assert report["traced"]["balanced"] and report["breaks"] == []
    csv_r = await funding.get("/reconciliation", officer, params=query | {"format": "csv", "table": "payments"})
    assert csv_r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_r.text.lstrip("\ufeff"))))
    assert any(row["拨付 disbursement"] == d and row["金额 amount"] == "250.00" for row in rows)
    xlsx = await funding.get("/reconciliation", officer, params=query | {"format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    payments = list(book["拨付 Payments"].iter_rows(min_row=2, values_only=True))
    assert any(row[0] == d and Decimal(str(row[8])) == Decimal("250") for row in payments)
    assert (await funding.get("/reconciliation", token(Role.unit, unit="U"), params=query)).status_code == 403
