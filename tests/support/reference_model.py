"""The reference model of publicity's figures, from the event contracts alone: the events in
business-time order, and what each one means (no facts, no SQL). The model-based tests build
their expected figures on it — fed to the projections (tests/integration/publicity/test_model_based.py)
or sent through the services' APIs (tests/e2e/publicity/test_model_based_api.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from shared.contracts import assessment as A
from shared.contracts import funding as F
from shared.contracts import registry as R
from shared.eventstore import DomainEvent


@dataclass
class State:
    designated: set = field(default_factory=set)
    assigned: set = field(default_factory=set)  # (team, village)
    members: dict = field(default_factory=lambda: defaultdict(set))
    secretary: dict = field(default_factory=dict)
    trained: set = field(default_factory=set)
    lines: dict = field(default_factory=dict)  # line -> amount
    allocations: dict = field(default_factory=dict)  # id -> {village, line, amount, released}
    disbursements: dict = field(default_factory=dict)  # id -> {village, allocation, amount, status}
    incomes: dict = field(default_factory=dict)  # (village, year) -> fen
    eligible: dict = field(default_factory=dict)  # (person, cover) -> bool
    covered: dict = field(default_factory=dict)  # (person, cover) -> bool

    def apply(self, e: DomainEvent) -> None:  # noqa: C901 — one branch per contract
        match e:
            case R.VillageDesignated():
                self.designated.add(e.code)
            case R.DesignationRevoked():
                self.designated.discard(e.code)
            case R.WorkTeamFormed():
                self.members[e.team_id] = {*e.member_ids, e.first_secretary_id}
                self.secretary[e.team_id] = e.first_secretary_id
            case R.TeamMembersChanged():
                kept = self.members[e.team_id] | set(e.added) | {e.first_secretary_id}
                self.members[e.team_id] = kept - (set(e.removed) - set(e.added) - {e.first_secretary_id})
                self.secretary[e.team_id] = e.first_secretary_id
            case R.CadreTrained():
                self.trained.add(e.cadre_id)
            case R.TeamAssigned():
                self.assigned.add((e.team_id, e.village_code))
            case R.TeamUnassigned():
                self.assigned.discard((e.team_id, e.village_code))
            case F.BudgetAppropriated() | F.AppropriationAdjusted():
                self.lines[e.line_id] = e.amount_fen
            case F.FundsAllocated():
                self.allocations[e.allocation_id] = {"village": e.village_code, "amount": e.amount_fen, "released": 0}
            case F.AllocationAdjusted():
                self.allocations[e.allocation_id]["amount"] = e.amount_fen
            case F.AllocationCancelled():
                self.allocations[e.allocation_id]["released"] = e.released_fen
            case F.DisbursementRequested():
                self.disbursements[e.disbursement_id] = {"village": e.village_code, "allocation": e.allocation_id,
                                                         "amount": e.amount_fen, "status": "requested"}
            case F.DisbursementApproved():
                self.disbursements[e.disbursement_id]["status"] = "approved"
            case F.DisbursementRejected():
                self.disbursements[e.disbursement_id]["status"] = "rejected"
            case F.DisbursementPaid():
                self.disbursements[e.disbursement_id]["status"] = "paid"
            case F.DisbursementReversed():
                self.disbursements[e.disbursement_id]["status"] = "reversed"
            case A.CollectiveIncomeReported():
                self.incomes[(e.village_code, e.year)] = e.income_fen
            case A.EligibilityRecorded():
                self.eligible[(e.person_id, e.cover)] = e.eligible
            case A.CoverageRecorded():
                self.covered[(e.person_id, e.cover)] = True
            case A.CoverageEnded():
                self.covered[(e.person_id, e.cover)] = False


class Reference:
    """The events with their business time (a date or an instant); ``state(on)`` folds those up to ``on``."""

    def __init__(self):
        self.events: list[tuple[Any, int, DomainEvent]] = []

    def add(self, when: Any, event: DomainEvent) -> None:
        self.events.append((when, len(self.events), event))

    def state(self, on: Any) -> State:
        s = State()
        for _, _, e in sorted((x for x in self.events if x[0] <= on), key=lambda x: (x[0], x[1])):
            s.apply(e)
        return s
