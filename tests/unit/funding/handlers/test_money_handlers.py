"""The handlers on funding's balance rows, in memory: lines, allocations, requests and
payments keep paid ≤ allocated ≤ appropriated, refuse with the limit's figures and record
nothing when they refuse. The SQL twin of the fake rows is held to the same answers by
``tests/integration/funding/test_balance_rows.py``."""

from __future__ import annotations

from datetime import date

import pytest

from shared.eventstore.errors import Conflict, DomainError, NotFound

from services.funding.adapters.balances import PgBalances
from services.funding.adapters.directory import PgDirectory
from services.funding.adapters.memory import InMemoryBalances, InMemoryDirectory
from services.funding.domain import commands as c
from services.funding.domain.access import FinanceScope
from services.funding.domain.villages import VillageInfo
from services.funding.handlers import allocations, budget, disbursements, policies
from tests.unit.funding.handlers.conftest import CITY, DISTRICT, VILLAGE

BOB = FinanceScope("bob", None)  # a second pair of eyes


@pytest.fixture
def rows(uow) -> InMemoryBalances:
    return uow.provide(PgBalances, InMemoryBalances())


@pytest.fixture
def heard(uow) -> InMemoryDirectory:
    village = VillageInfo(VILLAGE, "测试村", DISTRICT, "tourism", designated=True)
    return uow.provide(PgDirectory, InMemoryDirectory([village]))


async def a_line(uow, yuan: str = "1000") -> dict:
    cmd = c.AppropriateBudget(line_id="L-1", source="district", fiscal_year=2022, scope="city", title="产业扶持",
                              amount=yuan)
    return await budget.appropriate(uow, cmd, CITY)


async def an_allocation(uow, yuan: str = "600", **kw) -> dict:
    cmd = c.AllocateFunds(allocation_id="A-1", line_id="L-1", village_code=VILLAGE, amount=yuan, **kw)
    return await allocations.allocate(uow, cmd, CITY)


async def a_request(uow, yuan: str, disbursement_id: str = "D-1", **kw) -> dict:
    cmd = c.RequestDisbursement(disbursement_id=disbursement_id, allocation_id="A-1", amount=yuan, **kw)
    return await disbursements.request(uow, cmd, CITY)


def recorded(uow) -> list[str]:
    return [type(e).__name__ for e in uow.events]


async def test_a_line_is_appropriated_once_and_not_cut_below_what_it_allocated(uow, rows, heard):
    assert (await a_line(uow))["unallocated"] == "1000.00"
    with pytest.raises(Conflict):
        await a_line(uow)
    await an_allocation(uow, "600")
    with pytest.raises(DomainError) as refused:
        await budget.adjust_appropriation(uow, c.AdjustAppropriation(amount="500", reason="压减"), CITY, line_id="L-1")
    assert (refused.value.field, refused.value.context["limit"]) == ("amount", "line_allocated")
    assert refused.value.context["allocated"] == "600.00"
    assert recorded(uow) == ["BudgetAppropriated", "FundsAllocated"]
    answer = await budget.adjust_appropriation(uow, c.AdjustAppropriation(amount="600", reason="压减"), CITY,
                                               line_id="L-1")
    assert (answer["appropriated"], answer["unallocated"]) == ("600.00", "0.00")
    with pytest.raises(NotFound):
        await budget.adjust_appropriation(uow, c.AdjustAppropriation(amount="1", reason="压减"), CITY, line_id="L-9")


async def test_an_allocation_fits_its_line_and_goes_only_to_a_designated_village(uow, rows, heard):
    await a_line(uow, "1000")
    with pytest.raises(DomainError) as refused:
        await an_allocation(uow, "1000.01")
    assert refused.value.context["limit"] == "line_appropriated" and refused.value.context["available"] == "1000.00"
    heard.register[VILLAGE] = VillageInfo(VILLAGE, "测试村", DISTRICT, "tourism", designated=False)
    with pytest.raises(DomainError, match="not a designated"):
        await an_allocation(uow, "10")
    heard.designations[VILLAGE] = {"designated": False, "revocation_reason": "graduated"}
    with pytest.raises(Conflict):
        await an_allocation(uow, "10")
    assert recorded(uow) == ["BudgetAppropriated"] and rows.lines["L-1"].allocated_fen == 0


async def test_a_tranche_whose_milestone_was_verified_before_is_payable_at_once(uow, rows, heard):
    await a_line(uow)
    heard.verified[("P-1", "M-1")] = date(2022, 3, 1)
    tranches = [{"tranche_no": 1, "amount": "100"}, {"tranche_no": 2, "amount": "200", "milestone_id": "M-1"},
                {"tranche_no": 3, "amount": "300", "milestone_id": "M-2"}]
    answer = await an_allocation(uow, "600", project_id="P-1", tranches=tranches)
    assert answer["released_tranches"] == [2] and answer["released"] == "300.00"
    with pytest.raises(DomainError) as refused:
        await a_request(uow, "300", tranche_no=3)
    assert refused.value.context["limit"] == "tranche_milestone"
    assert rows.projects["P-1"].allocated_fen == 60_000


async def test_a_request_reserves_its_amount_and_a_payment_reaches_the_line(uow, rows, heard):
    await a_line(uow)
    await an_allocation(uow, "600")
    assert (await a_request(uow, "400"))["allocation"]["available"] == "200.00"
    with pytest.raises(DomainError) as refused:
        await a_request(uow, "200.01", "D-2")
    assert (refused.value.context["limit"], refused.value.context["available"]) == ("allocation_amount", "200.00")
    with pytest.raises(Conflict):  # a request is open
        await allocations.cancel(uow, c.CancelAllocation(reason="项目取消"), CITY, allocation_id="A-1")
    await disbursements.approve(uow, c.ApproveDisbursement(), BOB, disbursement_id="D-1")
    paid = await disbursements.pay(uow, c.PayDisbursement(voucher_no="V-1", paid_on=date(2022, 5, 1)), CITY,
                                   disbursement_id="D-1")
    assert (paid["allocation"]["paid"], paid["allocation"]["committed"]) == ("400.00", "0.00")
    assert (rows.lines["L-1"].paid_fen, rows.villages[VILLAGE].paid_fen) == (40_000, 40_000)
    cancelled = await allocations.cancel(uow, c.CancelAllocation(reason="项目取消"), CITY, allocation_id="A-1")
    assert (cancelled["returned"], cancelled["line"]["allocated"]) == ("200.00", "400.00")


async def test_a_rejection_gives_the_reservation_back(uow, rows, heard):
    await a_line(uow)
    await an_allocation(uow, "600")
    await a_request(uow, "600")
    answer = await disbursements.reject(uow, c.RejectDisbursement(reason="材料不全"), CITY, disbursement_id="D-1")
    assert answer["status"] == "rejected" and answer["allocation"]["available"] == "600.00"
    adjusted = await allocations.adjust(uow, c.AdjustAllocation(amount="100", reason="调减"), CITY,
                                        allocation_id="A-1")
    assert (adjusted["allocated"], adjusted["line"]["unallocated"]) == ("100.00", "900.00")


async def test_a_policy_lands_on_eligible_villages_or_on_none(uow, heard):
    await policies.register(uow, c.RegisterPolicy(policy_id="POL-1", name="庭院经济补贴"), CITY)
    with pytest.raises(DomainError, match="not in the register"):
        await policies.apply(uow, c.ApplyPolicy(mode="listed", village_codes=[VILLAGE, DISTRICT + "000999"]), CITY,
                             policy_id="POL-1")
    answer = await policies.apply(uow, c.ApplyPolicy(mode="all_eligible"), CITY, policy_id="POL-1")
    assert answer == {"policy_id": "POL-1", "applied": [VILLAGE], "already_applied": []}
    again = await policies.apply(uow, c.ApplyPolicy(mode="all_eligible"), CITY, policy_id="POL-1")
    assert again["already_applied"] == [VILLAGE]
