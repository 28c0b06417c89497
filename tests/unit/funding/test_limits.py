"""The money invariants as pure checks: each one passing and refusing, with the amounts named."""

from __future__ import annotations

import pytest

from shared.eventstore.errors import Conflict, DomainError

from services.funding.domain.limits import (
    AllocationFigures,
    LineFigures,
    TrancheFigures,
    ensure_allocation_not_below_spent,
    ensure_line_covers,
    ensure_line_not_below_allocated,
    ensure_no_open_requests,
    ensure_request_fits,
    ensure_tranche_not_below_spent,
)

LINE = LineFigures("L-1", "city", appropriated_fen=100_000, allocated_fen=80_000, paid_fen=10_000)
ALLOC = AllocationFigures("A-1", amount_fen=50_000, released_fen=50_000, committed_fen=20_000, paid_fen=10_000)


def test_allocation_within_the_line_passes_and_above_is_refused_naming_amounts():
    ensure_line_covers(LINE, 20_000)
    with pytest.raises(DomainError) as err:
        ensure_line_covers(LINE, 20_001)
    msg = err.value.message
    assert "1000.00" in msg and "800.00" in msg and "200.00" in msg and "200.01" in msg
    assert err.value.field == "amount" and err.value.context["limit"] == "line_appropriated"


def test_line_cannot_shrink_below_allocated():
    ensure_line_not_below_allocated(LINE, 80_000)
    with pytest.raises(DomainError, match="800.00"):
        ensure_line_not_below_allocated(LINE, 79_999)


def test_request_reserves_against_what_is_payable():
    ensure_request_fits(ALLOC, None, 20_000)  # 500 − 200 requested − 100 paid = 200 left
    with pytest.raises(DomainError) as err:
        ensure_request_fits(ALLOC, None, 20_001)
    assert "可申请 200.00 元" in err.value.message and "asked 200.01" in err.value.message


def test_unreleased_tranche_is_not_payable_and_released_one_is_capped():
    locked = TrancheFigures(2, 30_000, "M-1", released=False, committed_fen=0, paid_fen=0)
    with pytest.raises(DomainError, match="M-1") as err:
        ensure_request_fits(ALLOC, locked, 1)
    assert err.value.field == "tranche_no"
    open_ = TrancheFigures(1, 20_000, None, released=True, committed_fen=15_000, paid_fen=0)
    ensure_request_fits(ALLOC, open_, 5_000)
    with pytest.raises(DomainError, match="第 1 期"):
        ensure_request_fits(ALLOC, open_, 5_001)


def test_cancelled_allocation_takes_no_request():
    with pytest.raises(Conflict):
        ensure_request_fits(AllocationFigures("A", 10, 10, 0, 0, cancelled=True), None, 1)


def test_allocation_cut_only_down_to_paid_plus_requested():
    ensure_allocation_not_below_spent(ALLOC, 30_000)
    with pytest.raises(DomainError, match="300.00|299.99"):
        ensure_allocation_not_below_spent(ALLOC, 29_999)
    tranche = TrancheFigures(1, 20_000, None, True, committed_fen=5_000, paid_fen=5_000)
    ensure_tranche_not_below_spent("A-1", tranche, 10_000)
    with pytest.raises(DomainError):
        ensure_tranche_not_below_spent("A-1", tranche, 9_999)


def test_cancelling_waits_for_open_requests():
    ensure_no_open_requests(AllocationFigures("A", 10, 10, 0, 5))
    with pytest.raises(Conflict, match="200.00"):
        ensure_no_open_requests(ALLOC)
