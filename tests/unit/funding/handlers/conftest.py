"""Given-when-then over the funding handlers, in memory (cosmicpython's service-layer tests)."""

from __future__ import annotations

import pytest

import shared.contracts  # noqa: F401 - registers every service's events in the catalogue
from shared.contracts.funding import DisbursementRequested
from shared.eventstore.memory import InMemoryUnitOfWork

from services.funding.domain.access import FinanceScope
from services.funding.domain.disbursement import Disbursement

CITY = FinanceScope("city-finance", None)
VILLAGE = "120119000001"
DISTRICT = "120119"


def requested(disbursement_id: str = "D-1", by: str = "alice", district: str = DISTRICT) -> DisbursementRequested:
    return DisbursementRequested(disbursement_id=disbursement_id, allocation_id="A-1", line_id="L-1",
                                 source="district", village_code=district + "000001", district=district,
                                 amount_fen=10_000, requested_by=by)


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork()


@pytest.fixture
def a_request(uow: InMemoryUnitOfWork) -> str:
    uow.given(Disbursement, "D-1", [requested()])
    return "D-1"
