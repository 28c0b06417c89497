"""Facts from ``registry.events``: villages, designation, units, teams, cadres.

Cadres' names and titles are never kept: publicity holds no personal data to leak.
"""

from __future__ import annotations

from services.publicity.projections.facts.model import Fact, Payload, district_of, rule


@rule("VillageRegistered")
def village_registered(p: Payload) -> list[Fact]:
    incomes = p.get("income_fen") or {}
    average = sum(incomes.values()) // len(incomes) if incomes else 0
    return [Fact("village", p["code"], {"name": p.get("name"), "town": p.get("town"),
                                         "village_type": p.get("village_type"), "income_fen": incomes,
                                         "average_fen": average},
                 district=p.get("district"), village=p["code"])]


@rule("VillageIncomeCorrected")
def income_corrected(p: Payload) -> list[Fact]:
    return [Fact("baseline", f"{p['code']}:{p['year']}", {"year": str(p["year"]), "income_fen": p["income_fen"]},
                 district=district_of(p["code"], p.get("district")), village=p["code"])]


def _count(p: Payload, counted: str, listed: str) -> int:
    return p[counted] if p.get(counted) is not None else len(p.get(listed) or ())


@rule("ScreeningCompleted")
def screening(p: Payload) -> list[Fact]:
    # The ranked list itself goes to stats.ranked (see the projection); here its summary.
    return [Fact("screening", p["run_id"], {
        "quota": p.get("quota"), "cutoff_average_fen": p.get("cutoff_average_fen"), "rule": p.get("rule"),
        "rule_version": p.get("rule_version"), "tie_break": p.get("tie_break"),
        # v2 counts its lists (they travel in ScreeningRankedPage events); v1 carried them inline
        "supersedes": p.get("supersedes"), "designated": _count(p, "designated_count", "designated"),
        "considered": _count(p, "villages_ranked", "ranked"), "added": _count(p, "added_count", "added"),
        "removed": _count(p, "removed_count", "removed"),
    })]


@rule("VillageDesignated")
def designated(p: Payload) -> list[Fact]:
    return [Fact("designation", p["code"], {"designated": True, "run_id": p.get("run_id"), "rank": p.get("rank"),
                                             "average_fen": p.get("average_fen")},
                 district=district_of(p["code"], p.get("district")), village=p["code"])]


@rule("DesignationRevoked")
def revoked(p: Payload) -> list[Fact]:
    # Without reason_code (recorded before it existed) every revocation was a run's.
    value = {"designated": False, "run_id": p.get("run_id"), "reason_code": p.get("reason_code") or "rescreened",
             "reason": p.get("reason")}
    if p.get("met_target"):
        value["met_target"] = p["met_target"]
    return [Fact("designation", p["code"], value, district=district_of(p["code"], p.get("district")),
                 village=p["code"])]


@rule("VillageAttributesChanged")
def village_attributes(p: Payload) -> list[Fact]:
    # Beside the registration's "village" fact (name, baseline), which stays as registered.
    return [Fact("village_attributes", p["code"], {"town": p.get("town"), "village_type": p.get("village_type"),
                                                   "needs": p.get("needs", [])},
                 district=district_of(p["code"], p.get("district")), village=p["code"])]


@rule("UnitRegistered")
def unit(p: Payload) -> list[Fact]:
    return [Fact("unit", p["unit_id"], {"name": p.get("name"), "level": p.get("level")}, district=p.get("district"))]


@rule("CadreRegistered")
def cadre(p: Payload) -> list[Fact]:
    return [Fact("cadre", p["cadre_id"], {"unit_id": p.get("unit_id")})]


@rule("CadreTrained")
def trained(p: Payload) -> list[Fact]:
    if not p.get("centralised", True):
        return []  # only the centralised training qualifies a first secretary
    return [Fact("trained", p["cadre_id"], {"completed_on": p.get("completed_on")})]


@rule("WorkTeamFormed")
def team_formed(p: Payload) -> list[Fact]:
    team = p["team_id"]
    members = dict.fromkeys([*p.get("member_ids", ()), p["first_secretary_id"]])
    return [
        Fact("team", team, {"lead_unit_id": p["lead_unit_id"], "partner_unit_ids": p.get("partner_unit_ids", [])},
             district=p.get("district")),
        Fact("secretary", team, {"cadre_id": p["first_secretary_id"]}, district=p.get("district")),
        *(Fact("member", f"{team}:{c}", {"team_id": team, "cadre_id": c, "active": True}) for c in members),
    ]


@rule("TeamMembersChanged")
def members_changed(p: Payload) -> list[Fact]:
    team = p["team_id"]
    added = set(p.get("added", ())) | {p["first_secretary_id"]}
    return [
        Fact("secretary", team, {"cadre_id": p["first_secretary_id"]}),
        *(Fact("member", f"{team}:{c}", {"team_id": team, "cadre_id": c, "active": True}) for c in sorted(added)),
        *(Fact("member", f"{team}:{c}", {"team_id": team, "cadre_id": c, "active": False})
          for c in sorted(set(p.get("removed", ())) - added)),
    ]


@rule("TeamDissolved")
def team_dissolved(p: Payload) -> list[Fact]:
    # Its villages ended with the TeamUnassigned before it; here the team and its members end.
    team = p["team_id"]
    members = dict.fromkeys([*p.get("member_ids", ()), p["first_secretary_id"]])
    return [
        Fact("team", team, {"lead_unit_id": p["lead_unit_id"], "partner_unit_ids": p.get("partner_unit_ids", []),
                            "dissolved": True}, district=p.get("district")),
        *(Fact("member", f"{team}:{c}", {"team_id": team, "cadre_id": c, "active": False}) for c in members),
    ]


@rule("TeamAssigned")
def assigned(p: Payload) -> list[Fact]:
    return [Fact("assignment", f"{p['team_id']}:{p['village_code']}",
                 {"team_id": p["team_id"], "lead_unit_id": p.get("lead_unit_id"), "active": True},
                 district=district_of(p["village_code"], p.get("district")), village=p["village_code"])]


@rule("TeamUnassigned")
def unassigned(p: Payload) -> list[Fact]:
    return [Fact("assignment", f"{p['team_id']}:{p['village_code']}", {"team_id": p["team_id"], "active": False},
                 district=district_of(p["village_code"], p.get("district")), village=p["village_code"])]


@rule("TeamEnteredVillage")
def entered(p: Payload) -> list[Fact]:
    return [Fact("entered", f"{p['team_id']}:{p['village_code']}",
                 {"team_id": p["team_id"], "entered_on": p.get("entered_on")},
                 district=district_of(p["village_code"]), village=p["village_code"])]


@rule("CadrePresenceLogged")
def presence(p: Payload) -> list[Fact]:
    return [Fact("presence", f"{p['cadre_id']}:{p['day']}",
                 {"cadre_id": p["cadre_id"], "team_id": p.get("team_id"), "day": p["day"],
                  "togethers": p.get("togethers", [])},
                 district=district_of(p.get("village_code")), village=p.get("village_code"))]


@rule("LeaveApproved")
def leave(p: Payload) -> list[Fact]:
    return [Fact("leave", p["leave_id"], {"cadre_id": p["cadre_id"], "team_id": p.get("team_id"),
                                           "start": p.get("start"), "end": p.get("end"), "days": p.get("days", 0)})]


@rule("LeaveCancelled", "LeaveRevoked")
def leave_cancelled(p: Payload) -> list[Fact]:
    return [Fact("leave", p["leave_id"], {"cadre_id": p.get("cadre_id"), "team_id": p.get("team_id"),
                                           "start": p.get("start"), "end": p.get("end"), "days": 0,
                                           "cancelled": True})]


@rule("LeaveRejected")
def leave_rejected(p: Payload) -> list[Fact]:
    # A rejection answers a request (which states no fact); should it ever follow an approval,
    # the leave counts no days, as a cancelled one.
    return [Fact("leave", p["leave_id"], {"cadre_id": p.get("cadre_id"), "days": 0, "rejected": True})]


@rule("InsuranceRecorded")
def insurance(p: Payload) -> list[Fact]:
    # Keyed by cadre and start, not by policy number: the number is personal data.
    return [Fact("insurance", f"{p['cadre_id']}:{p['valid_from']}",
                 {"cadre_id": p["cadre_id"], "valid_from": p["valid_from"], "valid_to": p["valid_to"]})]


@rule("AllowanceComputed")
def allowance(p: Payload) -> list[Fact]:
    return [Fact("allowance", f"{p['cadre_id']}:{p['month']}",
                 {"cadre_id": p["cadre_id"], "team_id": p.get("team_id"), "month": p["month"],
                  "presence_days": p.get("presence_days", 0), "amount_fen": p.get("amount_fen", 0)})]
