"""Facts from ``registry.events``: villages, designation, units, teams, cadres.

Cadres' names and titles are never kept: publicity holds no personal data to leak.
"""

from __future__ import annotations

from shared.contracts import registry as R

from services.publicity.projections.facts.model import Fact, district_of, rule


@rule(R.VillageRegistered)
def village_registered(e: R.VillageRegistered) -> list[Fact]:
    incomes = dict(e.income_fen)
    average = sum(incomes.values()) // len(incomes) if incomes else 0
    return [Fact("village", e.code, {"name": e.name, "town": e.town, "village_type": e.village_type,
                                      "income_fen": incomes, "average_fen": average},
                 district=e.district, village=e.code)]


@rule(R.VillageIncomeCorrected)
def income_corrected(e: R.VillageIncomeCorrected) -> list[Fact]:
    return [Fact("baseline", f"{e.code}:{e.year}", {"year": str(e.year), "income_fen": e.income_fen},
                 district=district_of(e.code, e.district), village=e.code)]


@rule(R.ScreeningCompleted)
def screening(e: R.ScreeningCompleted) -> list[Fact]:
    # The ranked list itself goes to stats.ranked (see the projection); here its summary.
    # A v1 run, upcast, states its counts beside the lists it carried inline.
    return [Fact("screening", e.run_id, {
        "quota": e.quota, "cutoff_average_fen": e.cutoff_average_fen, "rule": e.rule,
        "rule_version": e.rule_version, "tie_break": e.tie_break, "supersedes": e.supersedes,
        "designated": e.designated_count, "considered": e.villages_ranked, "added": e.added_count,
        "removed": e.removed_count,
    })]


@rule(R.VillageDesignated)
def designated(e: R.VillageDesignated) -> list[Fact]:
    return [Fact("designation", e.code, {"designated": True, "run_id": e.run_id, "rank": e.rank,
                                          "average_fen": e.average_fen},
                 district=district_of(e.code, e.district), village=e.code)]


@rule(R.DesignationRevoked)
def revoked(e: R.DesignationRevoked) -> list[Fact]:
    # Recorded before reason_code existed, every revocation was a run's (the contract's default).
    value = {"designated": False, "run_id": e.run_id, "reason_code": e.reason_code or "rescreened",
             "reason": e.reason}
    if e.met_target:
        value["met_target"] = e.met_target.model_dump(mode="json")
    return [Fact("designation", e.code, value, district=district_of(e.code, e.district), village=e.code)]


@rule(R.VillageAttributesChanged)
def village_attributes(e: R.VillageAttributesChanged) -> list[Fact]:
    # Beside the registration's "village" fact (name, baseline), which stays as registered.
    return [Fact("village_attributes", e.code, {"town": e.town, "village_type": e.village_type, "needs": e.needs},
                 district=district_of(e.code, e.district), village=e.code)]


@rule(R.UnitRegistered)
def unit(e: R.UnitRegistered) -> list[Fact]:
    return [Fact("unit", e.unit_id, {"name": e.name, "level": e.level}, district=e.district)]


@rule(R.CadreRegistered)
def cadre(e: R.CadreRegistered) -> list[Fact]:
    return [Fact("cadre", e.cadre_id, {"unit_id": e.unit_id})]


@rule(R.CadreTrained)
def trained(e: R.CadreTrained) -> list[Fact]:
    if not e.centralised:
        return []  # only the centralised training qualifies a first secretary
    return [Fact("trained", e.cadre_id, {"completed_on": e.completed_on})]


def _member(team: str, cadre_id: str, active: bool) -> Fact:
    return Fact("member", f"{team}:{cadre_id}", {"team_id": team, "cadre_id": cadre_id, "active": active})


@rule(R.WorkTeamFormed)
def team_formed(e: R.WorkTeamFormed) -> list[Fact]:
    team = e.team_id
    members = dict.fromkeys([*e.member_ids, e.first_secretary_id])
    return [
        Fact("team", team, {"lead_unit_id": e.lead_unit_id, "partner_unit_ids": e.partner_unit_ids},
             district=e.district),
        Fact("secretary", team, {"cadre_id": e.first_secretary_id}, district=e.district),
        *(_member(team, c, True) for c in members),
    ]


@rule(R.TeamMembersChanged)
def members_changed(e: R.TeamMembersChanged) -> list[Fact]:
    team = e.team_id
    added = set(e.added) | {e.first_secretary_id}
    return [
        Fact("secretary", team, {"cadre_id": e.first_secretary_id}),
        *(_member(team, c, True) for c in sorted(added)),
        *(_member(team, c, False) for c in sorted(set(e.removed) - added)),
    ]


@rule(R.TeamDissolved)
def team_dissolved(e: R.TeamDissolved) -> list[Fact]:
    # Its villages ended with the TeamUnassigned before it; here the team and its members end.
    team = e.team_id
    members = dict.fromkeys([*e.member_ids, e.first_secretary_id])
    return [
        Fact("team", team, {"lead_unit_id": e.lead_unit_id, "partner_unit_ids": e.partner_unit_ids,
                            "dissolved": True}, district=e.district),
        *(_member(team, c, False) for c in members),
    ]


@rule(R.TeamAssigned)
def assigned(e: R.TeamAssigned) -> list[Fact]:
    return [Fact("assignment", f"{e.team_id}:{e.village_code}",
                 {"team_id": e.team_id, "lead_unit_id": e.lead_unit_id, "active": True},
                 district=district_of(e.village_code, e.district), village=e.village_code)]


@rule(R.TeamUnassigned)
def unassigned(e: R.TeamUnassigned) -> list[Fact]:
    return [Fact("assignment", f"{e.team_id}:{e.village_code}", {"team_id": e.team_id, "active": False},
                 district=district_of(e.village_code, e.district), village=e.village_code)]


@rule(R.TeamEnteredVillage)
def entered(e: R.TeamEnteredVillage) -> list[Fact]:
    return [Fact("entered", f"{e.team_id}:{e.village_code}", {"team_id": e.team_id, "entered_on": e.entered_on},
                 district=district_of(e.village_code), village=e.village_code)]


@rule(R.CadrePresenceLogged)
def presence(e: R.CadrePresenceLogged) -> list[Fact]:
    return [Fact("presence", f"{e.cadre_id}:{e.day}",
                 {"cadre_id": e.cadre_id, "team_id": e.team_id, "day": e.day, "togethers": e.togethers},
                 district=district_of(e.village_code), village=e.village_code)]


@rule(R.LeaveApproved)
def leave(e: R.LeaveApproved) -> list[Fact]:
    return [Fact("leave", e.leave_id, {"cadre_id": e.cadre_id, "team_id": e.team_id, "start": e.start,
                                        "end": e.end, "days": e.days})]


@rule(R.LeaveCancelled)
def leave_cancelled(e: R.LeaveCancelled) -> list[Fact]:
    return [Fact("leave", e.leave_id, {"cadre_id": e.cadre_id, "team_id": e.team_id, "start": e.start,
                                        "end": e.end, "days": 0, "cancelled": True})]


@rule(R.LeaveRejected)
def leave_rejected(e: R.LeaveRejected) -> list[Fact]:
    # A rejection answers a request (which states no fact); should it ever follow an approval,
    # the leave counts no days, as a cancelled one.
    return [Fact("leave", e.leave_id, {"cadre_id": e.cadre_id, "days": 0, "rejected": True})]


@rule(R.InsuranceRecorded)
def insurance(e: R.InsuranceRecorded) -> list[Fact]:
    # Keyed by cadre and start, not by policy number: the number is personal data.
    return [Fact("insurance", f"{e.cadre_id}:{e.valid_from}",
                 {"cadre_id": e.cadre_id, "valid_from": e.valid_from, "valid_to": e.valid_to})]


@rule(R.AllowanceComputed)
def allowance(e: R.AllowanceComputed) -> list[Fact]:
    return [Fact("allowance", f"{e.cadre_id}:{e.month}",
                 {"cadre_id": e.cadre_id, "team_id": e.team_id, "month": e.month,
                  "presence_days": e.presence_days, "amount_fen": e.amount_fen})]


# 公示期异议: the window, each objection's state, the list confirmed. Counts only: who objected
# and why are sealed on the topic, and never read here.
@rule(R.ObjectionWindowOpened)
def objection_window(e: R.ObjectionWindowOpened) -> list[Fact]:
    return [Fact("objection_window", e.run_id, {"opens_on": e.opens_on, "closes_on": e.closes_on, "days": e.days})]


@rule(R.ObjectionLodged)
def objection_lodged(e: R.ObjectionLodged) -> list[Fact]:
    return [Fact("objection", f"{e.run_id}:{e.objection_id}", {"run_id": e.run_id, "status": "open",
                                                               "listed": e.listed},
                 district=district_of(e.village_code, e.district), village=e.village_code)]


@rule(R.ObjectionAnswered)
def objection_answered(e: R.ObjectionAnswered) -> list[Fact]:
    return [Fact("objection", f"{e.run_id}:{e.objection_id}", {"run_id": e.run_id, "status": e.outcome},
                 district=district_of(e.village_code, e.district), village=e.village_code)]


@rule(R.DesignationConfirmed)
def designation_confirmed(e: R.DesignationConfirmed) -> list[Fact]:
    return [Fact("designation_confirmed", e.run_id, {"confirmed_on": e.confirmed_on, "objections": e.objections})]
