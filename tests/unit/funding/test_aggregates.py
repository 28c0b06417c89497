"""The funding aggregates in memory: state machines, four eyes, tranches, eligibility."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.funding import DisbursementApproved, TrancheReleased
from shared.eventstore.errors import Conflict, DomainError, Forbidden

from services.funding.domain.access import FinanceScope
from services.funding.domain.allocation import Allocation
from services.funding.domain.commands import AllocateFunds, AppropriateBudget, RegisterPolicy, RequestDisbursement
from services.funding.domain.disbursement import Disbursement
from services.funding.domain.line import BudgetLine
from services.funding.domain.policy import Policy, PolicyApplication
from services.funding.domain.villages import VillageInfo, ensure_fundable

VILLAGE = VillageInfo("120119000001", "测试村", "120119", "tourism", designated=True)


def saved(aggregate):
    """As if saved and loaded back from its stream (the helper keeps the stream's history)."""
    history = [*getattr(aggregate, "_history", []), *aggregate.pending]
    again = type(aggregate).rehydrate(aggregate.key, history)
    again._history = history
    return again


def a_line(scope: str = "city") -> BudgetLine:
    line = BudgetLine("L-1")
    line.appropriate(AppropriateBudget(line_id="L-1", source="district", fiscal_year=2022, scope=scope, title="t",
                                       amount="1000"))
    return saved(line)


def an_allocation(**kw) -> Allocation:
    allocation = Allocation("A-1")
    cmd = AllocateFunds(**({"allocation_id": "A-1", "line_id": "L-1", "village_code": VILLAGE.code, "amount": "300",
                            "project_id": "P-1", "tranches": [
                                {"tranche_no": 1, "amount": "100"},
                                {"tranche_no": 2, "amount": "200", "milestone_id": "M-2"}]} | kw))
    allocation.allocate(cmd, a_line(), VILLAGE)
    return saved(allocation)


def test_designated_villages_only():
    assert ensure_fundable(VILLAGE, VILLAGE.code) is VILLAGE
    with pytest.raises(DomainError, match="not a designated"):
        ensure_fundable(VillageInfo("120119000002", "x", "120119", "tourism", designated=False), "120119000002")
    with pytest.raises(DomainError, match="not in the register"):
        ensure_fundable(None, "120119000003")


def test_a_district_line_funds_only_its_district():
    allocation = Allocation("A-2")
    with pytest.raises(DomainError, match="own district"):
        allocation.allocate(AllocateFunds(allocation_id="A-2", line_id="L-1", village_code=VILLAGE.code, amount="1"),
                            a_line(scope="120114"), VILLAGE)


def test_tranche_release_is_idempotent_and_only_for_its_milestone():
    allocation = an_allocation()
    assert allocation.tranches[1].released and not allocation.tranches[2].released
    assert allocation.release("M-other", date(2022, 5, 1)) == []
    assert allocation.release("M-2", date(2022, 5, 1)) == [2]
    assert allocation.release("M-2", date(2022, 5, 2)) == []
    assert [type(e) for e in allocation.pending] == [TrancheReleased]
    again = saved(allocation)
    assert again.release("M-2", date(2022, 5, 3)) == []


def test_tranched_adjustment_keeps_numbers_and_milestones():
    from services.funding.domain.commands import TrancheInput

    allocation = an_allocation()
    allocation.adjust(40000, "cut", [TrancheInput(tranche_no=1, amount="100"),
                                     TrancheInput(tranche_no=2, amount="300", milestone_id="M-2")])
    with pytest.raises(DomainError, match="same milestones"):
        allocation.adjust(30000, "x", [TrancheInput(tranche_no=1, amount="300", milestone_id="M-9")])


def requested(by: str = "alice") -> Disbursement:
    d = Disbursement("D-1")
    d.request(RequestDisbursement(disbursement_id="D-1", allocation_id="A-1", amount="50", tranche_no=1),
              an_allocation(), by)
    return saved(d)


def test_request_on_tranched_allocation_names_a_released_tranche():
    d = Disbursement("D-9")
    with pytest.raises(DomainError, match="tranche"):
        d.request(RequestDisbursement(disbursement_id="D-9", allocation_id="A-1", amount="1"), an_allocation(), "a")
    with pytest.raises(DomainError, match="no tranche 7"):
        d.request(RequestDisbursement(disbursement_id="D-9", allocation_id="A-1", amount="1", tranche_no=7),
                  an_allocation(), "a")


def test_four_eyes_the_requester_never_approves():
    d = requested(by="alice")
    with pytest.raises(Forbidden, match="four eyes"):
        d.approve("alice")
    assert not d.pending
    d.approve("bob")
    assert isinstance(d.pending[0], DisbursementApproved) and d.pending[0].approved_by == "bob"


def test_payment_workflow_order():
    d = requested()
    with pytest.raises(Conflict, match="cannot pay"):
        d.pay("V-1", date(2022, 6, 1))
    with pytest.raises(Conflict, match="cannot reverse"):
        d.reverse("x")
    d.approve("bob")
    d.pay("V-1", date(2022, 6, 1))
    with pytest.raises(Conflict):
        d.reject("too late")
    d.reverse("wrong account")
    assert d.status == "reversed"
    rejected = requested()
    rejected.reject("incomplete")
    with pytest.raises(Conflict, match="cannot approve"):
        rejected.approve("bob")


def test_policy_eligibility_names_each_failed_rule():
    policy = Policy("P-1")
    policy.register(RegisterPolicy(policy_id="P-1", name="文旅贴息", village_types=["tourism"], districts=["120114"]))
    policy = saved(policy)
    why = policy.failures(VillageInfo("120119000009", "x", "120119", "agriculture", designated=False))
    assert len(why) == 3
    assert policy.failures(VillageInfo("120114000009", "x", "120114", "tourism", designated=True)) == []
    application = PolicyApplication(PolicyApplication.key_for("P-1", "120114000009"))
    eligible = VillageInfo("120114000009", "x", "120114", "tourism", True)
    assert application.apply(policy, eligible) is True
    assert saved(application).apply(policy, eligible) is False


def test_finance_scope():
    city, district = FinanceScope("c", None), FinanceScope("d", "120119")
    city.ensure("120114")
    district.ensure("120119")
    with pytest.raises(Forbidden):
        district.ensure("city")
    with pytest.raises(Forbidden):
        district.ensure("120114")
