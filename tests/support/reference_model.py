"""The reference model of publicity's figures, from the event contracts alone: the events in
business-time order, what each one means (no facts, no SQL), and the figures that follow
(``figures``) beside publicity's answers in the same shape (``published``). The model-based tests build
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
from shared.money import rate_pct
from shared.reference.tasks import INCOME_TARGET_FEN


@dataclass
class State:
    designated: set = field(default_factory=set)
    assigned: set = field(default_factory=set)  # (team, village)
    members: dict = field(default_factory=lambda: defaultdict(set))
    secretary: dict = field(default_factory=dict)
    trained: set = field(default_factory=set)
    dissolved: set = field(default_factory=set)  # teams
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
            case R.TeamDissolved():  # its villages' TeamUnassigned come first; its members leave with it
                self.dissolved.add(e.team_id)
                self.members[e.team_id] = set()
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


def figures(s: State, *, registered: int, districts: tuple[str, ...], teams: list[str]) -> dict:
    """What publicity's headline, designation, coverage, money, income and low-income figures
    must say of a world whose villages lie in ``districts`` and whose teams are ``teams`` (a
    dissolved team no longer counts)."""
    teams = [t for t in teams if t not in s.dissolved]
    district = lambda code: code[:6]  # noqa: E731
    by_district = lambda codes: {d: sum(1 for c in codes if district(c) == d) for d in districts}  # noqa: E731
    with_team = {v for v in s.designated if any(a[1] == v for a in s.assigned)}
    per_team = {t: sum(1 for a in s.assigned if a[0] == t) for t in teams}
    allocated = {i: a["amount"] - a["released"] for i, a in s.allocations.items()}
    by_status = lambda status: {d: sum(x["amount"] for x in s.disbursements.values()  # noqa: E731
                                       if x["status"] == status and district(x["village"]) == d)
                                for d in districts}
    weak_reports = {k: fen for k, fen in s.incomes.items() if k[0] in s.designated}
    year = max((y for _, y in weak_reports), default=None)
    per_year = lambda y, weak, at_target: sum(  # noqa: E731 — reports of year y, weak or not, at the target or any
        1 for (v, ry), fen in s.incomes.items()
        if ry == y and (v in s.designated) == weak and (not at_target or fen >= INCOME_TARGET_FEN))
    eligible = [k for k, yes in s.eligible.items() if yes]
    gap = [k for k in eligible if not s.covered.get(k)]
    allocated_total, disbursed_total = sum(allocated.values()), sum(by_status("paid").values())
    return {
        "registered": registered,
        "designated": by_district(s.designated),
        "weak_with_team": by_district(with_team),
        "weak_without_team": by_district(s.designated - with_team),
        "teams": {n: sum(1 for k in per_team.values() if k == n) for n in (0, 1, 2)},
        "secretaries_trained": sum(1 for t in teams if s.secretary[t] in s.trained),
        "cadres_stationed": sum(len(m) for m in s.members.values()),
        "appropriated": sum(s.lines.values()),
        "allocated": {d: sum(v for i, v in allocated.items() if district(s.allocations[i]["village"]) == d)
                      for d in districts},
        "disbursed": by_status("paid"), "awaiting_approval": by_status("requested"),
        "approved_unpaid": by_status("approved"),
        "rate": rate_pct(disbursed_total, allocated_total),
        "income_year": year,
        "income_reported": sum(1 for (_, y) in weak_reports if y == year),
        "income_at_target": sum(1 for (_, y), fen in weak_reports.items() if y == year and fen >= INCOME_TARGET_FEN),
        "income_by_year": {y: {"weak_reported": per_year(y, True, False), "weak_at_target": per_year(y, True, True),
                               "other_reported": per_year(y, False, False), "other_at_target": per_year(y, False, True)}
                           for y in sorted({y for _, y in s.incomes})},
        "low_income": {"eligible": len(eligible), "covered": len(eligible) - len(gap), "gap": len(gap)},
    }


def published(h: dict, d: dict, c: dict, m: dict, i: dict, li: dict, cadres_stationed: int,
              districts: tuple[str, ...]) -> dict:
    """The same figures as publicity answers them: its headline, designation, coverage, money,
    income and low-income answers (as the routes and the query functions return them), checked against
    each other where they overlap."""
    rows = lambda table, key: {r["code"]: r[key] for r in table if r["code"] in districts}  # noqa: E731
    as_fen = lambda text: int(text.replace(".", ""))  # noqa: E731
    assert d["city"]["designated"] == h["villages_designated"] == sum(rows(d["districts"], "designated").values())
    assert c["city"]["weak_without_team"] == h["weak_without_team"]
    assert m["city"]["allocated"] == h["allocated_yuan"] and m["city"]["disbursed"] == h["disbursed_yuan"]
    assert li["city"]["gap"] == h["low_income_gap"]
    return {
        "registered": h["villages_registered"],
        "designated": rows(d["districts"], "designated"),
        "weak_with_team": rows(c["districts"], "weak_with_team"),
        "weak_without_team": rows(c["districts"], "weak_without_team"),
        "teams": {0: c["city"]["teams_without_village"], 1: c["city"]["teams_with_1_village"],
                  2: c["city"]["teams_with_2_villages"]},
        "secretaries_trained": c["city"]["first_secretaries_trained"],
        "cadres_stationed": cadres_stationed,
        "appropriated": as_fen(m["city"]["appropriated"]),
        "allocated": {k: as_fen(v) for k, v in rows(m["districts"], "allocated").items()},
        "disbursed": {k: as_fen(v) for k, v in rows(m["districts"], "disbursed").items()},
        "awaiting_approval": {k: as_fen(v) for k, v in rows(m["districts"], "awaiting_approval").items()},
        "approved_unpaid": {k: as_fen(v) for k, v in rows(m["districts"], "approved_unpaid").items()},
        "rate": h["disbursement_rate_pct"],
        "income_year": h["income_year"],
        "income_reported": h["villages_income_reported"],
        "income_at_target": h["villages_at_income_target"],
        "income_by_year": {y["year"]: {k: y["city"][k] for k in ("weak_reported", "weak_at_target", "other_reported",
                                                                 "other_at_target")} for y in i["collective"]},
        "low_income": {k: li["city"][k] for k in ("eligible", "covered", "gap")},
    }
