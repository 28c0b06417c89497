"""The allocation's rules for a village that left the list and for a cancelled project, in memory."""

from __future__ import annotations

import pytest

from shared.contracts.funding import AllocationAdjusted, AllocationCancelled, FrozenRemainderReleased
from shared.eventstore.errors import Conflict

from tests.unit.funding.test_aggregates import an_allocation, saved


def frozen(paid_fen: int = 0, reason: str | None = "graduated"):
    allocation = an_allocation()
    assert allocation.freeze(paid_fen, reason, "run-2")
    return saved(allocation)


def test_a_frozen_allocation_takes_nothing_new_and_says_why():
    allocation = frozen()
    with pytest.raises(Conflict, match=r"no longer designated \(graduated\)") as refused:
        allocation.ensure_not_frozen()
    assert refused.value.context == {"frozen": True, "revocation_reason": "graduated"}


def test_freezing_twice_or_an_excepted_allocation_does_nothing():
    allocation = frozen()
    assert not allocation.freeze(0, "again", "run-3") and allocation.pending == []
    allocation.record_exception("合同已签 / contract signed", "city-office")
    excepted = saved(allocation)
    excepted.ensure_not_frozen()
    assert not excepted.freeze(0, "rescreened", "run-4")


def test_designated_again_lifts_a_pending_freeze_once():
    allocation = frozen()
    assert allocation.unfreeze("run-3")
    lifted = saved(allocation)
    lifted.ensure_not_frozen()
    assert not lifted.unfreeze("run-3")


def test_the_remainder_is_released_only_from_a_frozen_allocation():
    with pytest.raises(Conflict, match="not frozen"):
        an_allocation().release_frozen(0, "r", "city-office")
    allocation = frozen(paid_fen=5_000)
    assert allocation.release_frozen(5_000, "余额退回 / remainder returned", "city-office") == 25_000
    assert allocation.pending == [FrozenRemainderReleased(
        allocation_id="A-1", line_id="L-1", village_code=allocation.village_code, released_fen=25_000,
        reason="余额退回 / remainder returned", released_by="city-office")]
    with pytest.raises(Conflict, match="cancelled"):
        saved(allocation).record_exception("too late", "city-office")


def test_a_cancelled_milestone_returns_its_unreleased_tranche_once():
    allocation = an_allocation()  # tranche 1 payable now (100), tranche 2 waits on M-2 (200)
    assert allocation.withdraw_unreleased({"M-2"}, "节点撤销 / milestone cancelled") == {2: 20_000}
    [adjusted] = allocation.pending
    assert isinstance(adjusted, AllocationAdjusted) and adjusted.amount_fen == 10_000
    assert [(t.tranche_no, t.amount_fen) for t in adjusted.tranches] == [(1, 10_000), (2, 0)]
    assert saved(allocation).withdraw_unreleased(None, "项目撤销 / project cancelled") == {}


def test_a_cancelled_project_with_nothing_ever_payable_ends_the_allocation():
    allocation = an_allocation(tranches=[{"tranche_no": 1, "amount": "300", "milestone_id": "M-1"}])
    assert allocation.withdraw_unreleased(None, "项目撤销 / project cancelled") == {1: 30_000}
    assert [type(e) for e in allocation.pending] == [AllocationCancelled]
