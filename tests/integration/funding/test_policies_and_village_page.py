"""Policy bundles applied by their eligibility rules, and a village's page of everything reaching it."""

from __future__ import annotations

import pytest

from shared.eventstore.errors import DomainError, Forbidden

from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import ApplyPolicy, RegisterPolicy
from services.funding.handlers import policies
from services.funding.queries import reads
from tests.integration.funding import steps
from tests.integration.funding.conftest import CITY


async def register(h, scope=CITY, **kw) -> str:
    cmd = RegisterPolicy(**({"policy_id": steps.new_id("POL"), "name": "产业贴息", "description": "贷款贴息"} | kw))
    await h.run(lambda uow: policies.register(uow, cmd, scope))
    return cmd.policy_id


async def apply(h, policy_id: str, scope=CITY, **kw) -> dict:
    cmd = ApplyPolicy(**kw)
    return await h.run(lambda uow: policies.apply(uow, cmd, scope, policy_id=policy_id))


async def test_listed_villages_must_all_be_eligible(funding):
    tourism = await funding.village("120119", "tourism")
    farming = await funding.village("120119", "agriculture")
    plain = await funding.village("120119", "tourism", designated=False)
    policy = await register(funding, village_types=["tourism"])
    before = await funding.events("policyapp-")
    with pytest.raises(DomainError) as err:
        await apply(funding, policy, village_codes=[tourism, farming, plain])
    assert farming in err.value.message and plain in err.value.message and tourism not in err.value.message
    assert await funding.events("policyapp-") == before
    assert (await apply(funding, policy, village_codes=[tourism]))["applied"] == [tourism]
    again = await apply(funding, policy, village_codes=[tourism])
    assert again == {"policy_id": policy, "applied": [], "already_applied": [tourism]}


async def test_all_eligible_follows_the_rules_and_the_callers_scope(funding):
    jizhou = await funding.village("120119", "industry")
    wuqing = await funding.village("120114", "industry")
    await funding.village("120114", "industry", designated=False)
    policy = await register(funding, village_types=["industry"])
    officer = FinanceScope("wuqing", "120114")
    result = await apply(funding, policy, officer, mode="all_eligible")
    assert wuqing in result["applied"] and jizhou not in result["applied"]
    assert all(code.startswith("120114") for code in result["applied"])
    with pytest.raises(Forbidden):
        await register(funding, officer)  # a city-wide policy is the city's
    await register(funding, officer, districts=["120114"])


async def test_village_page_lists_policies_allocations_and_payments(funding):
    village = await funding.village("120119", "tourism")
    policy = await register(funding, name="文旅扶持", districts=["120119"])
    await apply(funding, policy, village_codes=[village])
    alloc = await steps.allocate(funding, await steps.line(funding), village, "800.00", task_no=1)
    await steps.paid(funding, alloc, "300.00")
    await steps.request(funding, alloc, "100.00")
    await funding.sync_ledger()
    async with funding.pool.acquire() as conn:
        page = await reads.village_page(conn, village)
    assert page["village"]["designated"] is True
    assert [p["name"] for p in page["policies"]] == ["文旅扶持"]
    assert [(a["allocation_id"], a["allocated"], a["paid"], a["pending"]) for a in page["allocations"]] == [
        (alloc, "800.00", "300.00", "100.00")]
    assert sorted(p["status"] for p in page["payments"]) == ["paid", "requested"]
    assert page["totals"] == {"allocated": "800.00", "paid": "300.00", "pending": "100.00"}
