"""Designation ends → money stops, through the real broker and the running API: registry's
DesignationRevoked (published by registry's relay) freezes the allocation in funding's
worker; requests and new allocations answer 409; only the city office releases the
remainder, once per Idempotency-Key; bad input is a field-level 4xx that writes nothing."""

from __future__ import annotations

import secrets
import time

import pytest

from shared.contracts.registry import DesignationRevoked
from shared.http.auth import Role

from tests.e2e.funding.conftest import append, wait_for

pytestmark = pytest.mark.e2e


async def test_a_revoked_village_is_frozen_until_the_city_office_releases_its_remainder(funding, token, settings):
    village = await funding.designated_village()
    line = await funding.line("10000.00")
    alloc = await funding.allocation(line, village, "1000.00")
    started = time.monotonic()
    await append(settings, "registry", f"village-{village}", DesignationRevoked(
        code=village, district=village[:6], run_id="e2e-run-2", reason="graduated"))

    async def frozen():
        r = await funding.get(f"/allocations/{alloc}")
        return r.status_code == 200 and r.json()["status"] == "frozen" and r.json()
    found = await wait_for(frozen, "the allocation frozen by funding's worker")
    print(f"\nDesignationRevoked → allocation frozen (as read): {(time.monotonic() - started) * 1000:.0f} ms / 撤销认定到冻结")
    assert found["freeze_reason"] == "graduated"

    officer = token(Role.finance_officer, subject="officer-1")
    request = await funding.post("/disbursements", {"disbursement_id": f"D-{secrets.token_hex(4)}",
                                                    "allocation_id": alloc, "amount": "10.00"}, officer)
    assert request.status_code == 409 and request.json()["detail"][0]["loc"] == ["body", "allocation_id"], request.text
    assert "graduated" in request.json()["detail"][0]["msg"]
    again = await funding.post("/allocations", {"allocation_id": f"A-{secrets.token_hex(4)}", "line_id": line,
                                                "village_code": village, "amount": "1.00"})
    assert again.status_code == 409 and again.json()["detail"][0]["loc"] == ["body", "village_code"], again.text

    url = f"/allocations/{alloc}/release-frozen"
    by_officer = await funding.post(url, {"reason": "余额退回"}, officer)
    no_reason = await funding.post(url, {}, funding.city)
    extra = await funding.post(url, {"reason": "余额退回", "amount": "1"}, funding.city)
    assert by_officer.status_code == 403 and by_officer.json()["detail"][0]["loc"] == ["header", "Authorization"]
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    assert extra.status_code == 422 and extra.json()["detail"][0]["loc"] == ["body", "amount"]
    assert (await funding.get(f"/allocations/{alloc}")).json()["status"] == "frozen"  # nothing written

    key = funding.city | {"Idempotency-Key": f"release-{alloc}"}
    done = await funding.post(url, {"reason": "认定撤销，余额退回"}, key)
    replay = await funding.post(url, {"reason": "认定撤销，余额退回"}, key)
    assert done.status_code == 200 and done.json()["returned"] == "1000.00", done.text
    assert replay.status_code == 200 and replay.json() == done.json()
    twice = await funding.post(url, {"reason": "再退"}, funding.city)
    assert twice.status_code == 409, twice.text

    async def returned_to_line():
        r = await funding.get(f"/lines/{line}")
        return r.status_code == 200 and r.json()["allocated"] == "0.00"
    await wait_for(returned_to_line, "the remainder back on the line in the ledger")
