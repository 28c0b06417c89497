"""Facts from ``funding.events``: budget lines, allocations, disbursements, policies. Amounts in fen."""

from __future__ import annotations

from shared.contracts import funding as F

from services.publicity.projections.facts.model import Fact, district_of, rule


@rule(F.BudgetAppropriated)
def appropriated(e: F.BudgetAppropriated) -> list[Fact]:
    scope = e.scope or "city"
    return [Fact("line", e.line_id, {"source": e.source, "fiscal_year": e.fiscal_year, "scope": scope,
                                      "title": e.title, "amount_fen": e.amount_fen},
                 district=None if scope == "city" else scope)]


@rule(F.AppropriationAdjusted)
def appropriation_adjusted(e: F.AppropriationAdjusted) -> list[Fact]:
    return [Fact("line_amount", e.line_id, {"amount_fen": e.amount_fen})]


@rule(F.FundsAllocated)
def allocated(e: F.FundsAllocated) -> list[Fact]:
    return [Fact("allocation", e.allocation_id, {
        "line_id": e.line_id, "source": e.source, "fiscal_year": e.fiscal_year, "project_id": e.project_id,
        "task_no": e.task_no, "amount_fen": e.amount_fen, "tranches": len(e.tranches),
    }, district=district_of(e.village_code, e.district), village=e.village_code)]


@rule(F.AllocationAdjusted)
def allocation_adjusted(e: F.AllocationAdjusted) -> list[Fact]:
    return [Fact("allocation_amount", e.allocation_id, {"amount_fen": e.amount_fen},
                 district=district_of(e.village_code), village=e.village_code)]


def _released(e: F.AllocationCancelled | F.FrozenRemainderReleased) -> Fact:
    return Fact("allocation_cancel", e.allocation_id, {"released_fen": e.released_fen},
                district=district_of(e.village_code), village=e.village_code)


@rule(F.AllocationCancelled)
def allocation_cancelled(e: F.AllocationCancelled) -> list[Fact]:
    return [_released(e)]


@rule(F.FrozenRemainderReleased)
def frozen_remainder_released(e: F.FrozenRemainderReleased) -> list[Fact]:
    # As a cancellation: what was not paid leaves the allocated figure.
    return [_released(e), _freeze(e, False, released=True)]


def _freeze(e, frozen: bool, **extra) -> Fact:
    # Only AllocationFrozen names the district; the others have it from the village code.
    return Fact("allocation_freeze", e.allocation_id, {"frozen": frozen, **extra},
                district=district_of(e.village_code, getattr(e, "district", None)), village=e.village_code)


@rule(F.AllocationFrozen)
def allocation_frozen(e: F.AllocationFrozen) -> list[Fact]:
    return [_freeze(e, True, unspent_fen=e.unspent_fen, reason=e.revocation_reason)]


@rule(F.AllocationUnfrozen)
def allocation_unfrozen(e: F.AllocationUnfrozen) -> list[Fact]:
    return [_freeze(e, False)]


@rule(F.FreezeExceptionRecorded)
def freeze_exception(e: F.FreezeExceptionRecorded) -> list[Fact]:
    return [_freeze(e, False, exception=True)]


@rule(F.TrancheReleased)
def tranche_released(e: F.TrancheReleased) -> list[Fact]:
    return [Fact("tranche", f"{e.allocation_id}:{e.tranche_no}",
                 {"allocation_id": e.allocation_id, "amount_fen": e.amount_fen, "milestone_id": e.milestone_id,
                  "released_on": e.released_on})]


def _status(status: str, e, **extra) -> Fact:
    return Fact("disbursement_status", e.disbursement_id,
                {"status": status, "allocation_id": e.allocation_id, "amount_fen": e.amount_fen, **extra},
                district=district_of(e.village_code, e.district), village=e.village_code)


@rule(F.DisbursementRequested)
def requested(e: F.DisbursementRequested) -> list[Fact]:
    return [
        Fact("disbursement", e.disbursement_id, {
            "allocation_id": e.allocation_id, "line_id": e.line_id, "source": e.source, "project_id": e.project_id,
            "task_no": e.task_no, "tranche_no": e.tranche_no, "amount_fen": e.amount_fen,
        }, district=district_of(e.village_code, e.district), village=e.village_code),
        _status("requested", e),
    ]


@rule(F.DisbursementApproved)
def approved(e: F.DisbursementApproved) -> list[Fact]:
    return [_status("approved", e)]


@rule(F.DisbursementRejected)
def rejected(e: F.DisbursementRejected) -> list[Fact]:
    return [_status("rejected", e)]


@rule(F.DisbursementPaid)
def paid(e: F.DisbursementPaid) -> list[Fact]:
    return [_status("paid", e, paid_on=e.paid_on, source=e.source, task_no=e.task_no, project_id=e.project_id,
                    line_id=e.line_id)]


@rule(F.DisbursementReversed)
def reversed_(e: F.DisbursementReversed) -> list[Fact]:
    return [_status("reversed", e)]


@rule(F.PolicyRegistered)
def policy(e: F.PolicyRegistered) -> list[Fact]:
    return [Fact("policy", e.policy_id, {"name": e.name})]


@rule(F.PolicyApplied)
def policy_applied(e: F.PolicyApplied) -> list[Fact]:
    return [Fact("policy_applied", f"{e.policy_id}:{e.village_code}", {"policy_id": e.policy_id},
                 district=district_of(e.village_code, e.district), village=e.village_code)]
