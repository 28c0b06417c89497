"""Facts from ``funding.events``: budget lines, allocations, disbursements, policies. Amounts in fen."""

from __future__ import annotations

from services.publicity.projections.facts.model import Fact, Payload, district_of, rule


@rule("BudgetAppropriated")
def appropriated(p: Payload) -> list[Fact]:
    scope = p.get("scope") or "city"
    return [Fact("line", p["line_id"], {"source": p.get("source"), "fiscal_year": p.get("fiscal_year"),
                                         "scope": scope, "title": p.get("title"), "amount_fen": p["amount_fen"]},
                 district=None if scope == "city" else scope)]


@rule("AppropriationAdjusted")
def appropriation_adjusted(p: Payload) -> list[Fact]:
    return [Fact("line_amount", p["line_id"], {"amount_fen": p["amount_fen"]})]


@rule("FundsAllocated")
def allocated(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("allocation", p["allocation_id"], {
        "line_id": p.get("line_id"), "source": p.get("source"), "fiscal_year": p.get("fiscal_year"),
        "project_id": p.get("project_id"), "task_no": p.get("task_no"), "amount_fen": p["amount_fen"],
        "tranches": len(p.get("tranches") or ()),
    }, district=district_of(village, p.get("district")), village=village)]


@rule("AllocationAdjusted")
def allocation_adjusted(p: Payload) -> list[Fact]:
    return [Fact("allocation_amount", p["allocation_id"], {"amount_fen": p["amount_fen"]},
                 district=district_of(p.get("village_code")), village=p.get("village_code"))]


@rule("AllocationCancelled")
def allocation_cancelled(p: Payload) -> list[Fact]:
    return [Fact("allocation_cancel", p["allocation_id"], {"released_fen": p.get("released_fen", 0)},
                 district=district_of(p.get("village_code")), village=p.get("village_code"))]


@rule("FrozenRemainderReleased")
def frozen_remainder_released(p: Payload) -> list[Fact]:
    # As a cancellation: what was not paid leaves the allocated figure.
    return [Fact("allocation_cancel", p["allocation_id"], {"released_fen": p.get("released_fen", 0)},
                 district=district_of(p.get("village_code")), village=p.get("village_code")),
            _freeze(p, False, released=True)]


def _freeze(p: Payload, frozen: bool, **extra) -> Fact:
    village = p.get("village_code")
    return Fact("allocation_freeze", p["allocation_id"], {"frozen": frozen, **extra},
                district=district_of(village, p.get("district")), village=village)


@rule("AllocationFrozen")
def allocation_frozen(p: Payload) -> list[Fact]:
    return [_freeze(p, True, unspent_fen=p.get("unspent_fen", 0), reason=p.get("revocation_reason"))]


@rule("AllocationUnfrozen")
def allocation_unfrozen(p: Payload) -> list[Fact]:
    return [_freeze(p, False)]


@rule("FreezeExceptionRecorded")
def freeze_exception(p: Payload) -> list[Fact]:
    return [_freeze(p, False, exception=True)]


@rule("TrancheReleased")
def tranche_released(p: Payload) -> list[Fact]:
    return [Fact("tranche", f"{p['allocation_id']}:{p['tranche_no']}",
                 {"allocation_id": p["allocation_id"], "amount_fen": p.get("amount_fen", 0),
                  "milestone_id": p.get("milestone_id"), "released_on": p.get("released_on")})]


def _status(status: str, p: Payload, **extra) -> Fact:
    village = p.get("village_code")
    return Fact("disbursement_status", p["disbursement_id"],
                {"status": status, "allocation_id": p.get("allocation_id"), "amount_fen": p.get("amount_fen", 0),
                 **extra},
                district=district_of(village, p.get("district")), village=village)


@rule("DisbursementRequested")
def requested(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [
        Fact("disbursement", p["disbursement_id"], {
            "allocation_id": p.get("allocation_id"), "line_id": p.get("line_id"), "source": p.get("source"),
            "project_id": p.get("project_id"), "task_no": p.get("task_no"), "tranche_no": p.get("tranche_no"),
            "amount_fen": p["amount_fen"],
        }, district=district_of(village, p.get("district")), village=village),
        _status("requested", p),
    ]


@rule("DisbursementApproved")
def approved(p: Payload) -> list[Fact]:
    return [_status("approved", p)]


@rule("DisbursementRejected")
def rejected(p: Payload) -> list[Fact]:
    return [_status("rejected", p)]


@rule("DisbursementPaid")
def paid(p: Payload) -> list[Fact]:
    return [_status("paid", p, paid_on=p.get("paid_on"), source=p.get("source"), task_no=p.get("task_no"),
                    project_id=p.get("project_id"), line_id=p.get("line_id"))]


@rule("DisbursementReversed")
def reversed_(p: Payload) -> list[Fact]:
    return [_status("reversed", p)]


@rule("PolicyRegistered")
def policy(p: Payload) -> list[Fact]:
    return [Fact("policy", p["policy_id"], {"name": p.get("name")})]


@rule("PolicyApplied")
def policy_applied(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("policy_applied", f"{p['policy_id']}:{village}", {"policy_id": p["policy_id"]},
                 district=district_of(village, p.get("district")), village=village)]
