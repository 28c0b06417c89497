"""Approving a disbursement works through its aggregate alone: four eyes, scope, state."""

from __future__ import annotations

import pytest

from shared.contracts.funding import DisbursementApproved
from shared.eventstore.errors import Conflict, Forbidden, NotFound

from services.funding.domain.access import FinanceScope
from services.funding.domain.commands import ApproveDisbursement
from services.funding.handlers import disbursements
from tests.unit.funding.handlers.conftest import CITY, DISTRICT


async def test_someone_other_than_the_requester_approves(uow, a_request):
    result = await disbursements.approve(uow, ApproveDisbursement(), FinanceScope("bob", DISTRICT),
                                         disbursement_id=a_request)
    assert result == {"disbursement_id": "D-1", "allocation_id": "A-1", "tranche_no": None, "amount": "100.00",
                      "status": "approved", "stream_version": 2}
    assert uow.events == [DisbursementApproved(disbursement_id="D-1", allocation_id="A-1",
                                               village_code=DISTRICT + "000001", district=DISTRICT,
                                               amount_fen=10_000, approved_by="bob")]


async def test_the_requester_may_not_approve_and_nothing_is_recorded(uow, a_request):
    with pytest.raises(Forbidden, match="four eyes"):
        await disbursements.approve(uow, ApproveDisbursement(), FinanceScope("alice", None), disbursement_id=a_request)
    assert uow.events == []


async def test_another_district_may_not_approve(uow, a_request):
    with pytest.raises(Forbidden, match="120114"):
        await disbursements.approve(uow, ApproveDisbursement(), FinanceScope("bob", "120114"),
                                    disbursement_id=a_request)
    assert uow.events == []


async def test_approving_twice_is_refused_with_the_state(uow, a_request):
    await disbursements.approve(uow, ApproveDisbursement(), CITY, disbursement_id=a_request)
    with pytest.raises(Conflict, match="approved: cannot approve"):
        await disbursements.approve(uow, ApproveDisbursement(), FinanceScope("carol", None), disbursement_id=a_request)
    assert len(uow.events) == 1


async def test_an_unknown_request_is_not_found(uow):
    with pytest.raises(NotFound) as refused:
        await disbursements.approve(uow, ApproveDisbursement(), CITY, disbursement_id="D-none")
    assert refused.value.field == "disbursement_id" and uow.events == []
