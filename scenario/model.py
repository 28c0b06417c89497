"""Everything the scenario makes happen, as plain data with business dates.

The generator fills these; the driver turns each into the HTTP command a user would
send; the check derives the expected statistics from them. Money in integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from scenario.size import ScenarioSize

BASE_YEARS = ("2018", "2019", "2020")


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    district: str
    town: str
    village_type: str
    income_fen: dict[str, int]  # 2018–2020 collective operating income
    needs: tuple[str, ...]
    registered_on: date

    @property
    def average_fen(self) -> int:
        return sum(self.income_fen[y] for y in BASE_YEARS) // len(BASE_YEARS)


@dataclass(frozen=True)
class Screening:
    run_id: str
    on: date
    quota: int
    designated: tuple[str, ...]  # bottom first
    cutoff_average_fen: int


@dataclass(frozen=True)
class Graduation:
    """达标出列: a designated village that met the target leaves the list; its allocations are
    frozen the same day and the city office returns their unpaid remainder on ``released_on``."""

    village_code: str
    district: str
    on: date
    year: int  # the year it met the target
    income_fen: int
    released_on: date


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    level: str  # city | district
    district: str | None
    strengths: tuple[str, ...]
    registered_on: date


@dataclass(frozen=True)
class Cadre:
    cadre_id: str
    unit_id: str
    name: str
    title: str
    registered_on: date


@dataclass(frozen=True)
class Training:
    cadre_id: str
    course: str
    completed_on: date
    centralised: bool


@dataclass(frozen=True)
class Team:
    team_id: str
    district: str
    lead_unit_id: str
    partner_unit_ids: tuple[str, ...]
    member_ids: tuple[str, ...]
    first_secretary_id: str
    formed_on: date


@dataclass(frozen=True)
class Assignment:
    team_id: str
    village_code: str
    district: str
    score: int
    reason: str
    assigned_on: date
    entered_on: date
    left_on: date | None = None  # unassigned (its village graduated)

    def active_on(self, day: date) -> bool:
        return self.assigned_on <= day and not (self.left_on and self.left_on <= day)


@dataclass(frozen=True)
class TeamChange:
    """A first secretary replaced (``new_secretary``: a member of the lead unit, trained by
    then; the previous one stays a member) or a member removed (``removed``)."""

    team_id: str
    district: str
    on: date
    new_secretary: str | None = None
    removed: str | None = None
    dissolved: bool = False  # its villages and members are freed; teams of its district rotate to take them


@dataclass(frozen=True)
class CheckIn:
    cadre_id: str
    team_id: str
    village_code: str
    day: date
    togethers: tuple[str, ...]


@dataclass(frozen=True)
class Leave:
    leave_id: str
    cadre_id: str
    team_id: str
    start: date
    end: date
    reason: str
    requested_on: date
    approved: bool
    decided_on: date
    reject_reason: str | None = None
    cancelled_on: date | None = None  # withdrawn before its first day: its days count no more

    def counts_on(self, day: date) -> bool:
        """Approved by ``day`` and not cancelled by then."""
        return self.approved and self.decided_on <= day and not (self.cancelled_on and self.cancelled_on <= day)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Insurance:
    cadre_id: str
    policy_no: str
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class Milestone:
    milestone_id: str
    title: str
    due_on: date
    funding_share_pct: Decimal
    reports: tuple[date, ...] = ()  # every report; all but the last were sent back
    returned: tuple[date, ...] = ()
    verified_on: date | None = None
    replanned: tuple[date, date] | None = None  # (on, new due day): re-planned before it was reported

    def due_as_of(self, day: date) -> date:
        return self.replanned[1] if self.replanned and self.replanned[0] <= day else self.due_on


@dataclass(frozen=True)
class Project:
    project_id: str
    village_code: str
    district: str
    action_code: str
    task_no: int
    title: str
    planned_on: date
    planned_start: date
    planned_end: date
    milestones: tuple[Milestone, ...]
    cancelled_on: date | None = None  # stalled and cancelled: its milestones not verified go with it

    @property
    def completed_on(self) -> date | None:
        last = self.milestones[-1].verified_on
        return last if all(m.verified_on for m in self.milestones) else None

    def cancelled_by(self, day: date) -> bool:
        return self.cancelled_on is not None and self.cancelled_on <= day


@dataclass(frozen=True)
class BudgetLine:
    line_id: str
    source: str
    fiscal_year: int
    scope: str  # "city" or a district code
    title: str
    amount_fen: int
    appropriated_on: date


@dataclass(frozen=True)
class TranchePlan:
    tranche_no: int
    amount_fen: int
    milestone_id: str | None  # None: payable at once


@dataclass(frozen=True)
class Allocation:
    allocation_id: str
    line_id: str
    source: str
    fiscal_year: int
    village_code: str
    district: str
    project_id: str | None
    task_no: int | None
    amount_fen: int
    tranches: tuple[TranchePlan, ...]
    allocated_on: date
    cancelled_on: date | None = None  # cancelled before anything was requested: all of it returns to the line


@dataclass(frozen=True)
class Disbursement:
    disbursement_id: str
    allocation_id: str
    line_id: str
    source: str
    village_code: str
    district: str
    tranche_no: int
    amount_fen: int
    requested_on: date
    requested_by: str
    approved_on: date | None = None  # None and no rejection: still waiting at the end
    approved_by: str | None = None
    rejected_on: date | None = None
    reject_reason: str | None = None
    paid_on: date | None = None
    voucher_no: str | None = None
    reversed_on: date | None = None
    reverse_reason: str | None = None

    def state_on(self, day: date) -> str:
        """requested | approved | rejected | paid | reversed | none (not yet requested)."""
        for when, state in ((self.reversed_on, "reversed"), (self.paid_on, "paid"), (self.rejected_on, "rejected"),
                            (self.approved_on, "approved"), (self.requested_on, "requested")):
            if when is not None and when <= day:
                return state
        return "none"


@dataclass(frozen=True)
class Policy:
    policy_id: str
    name: str
    description: str
    village_types: tuple[str, ...]
    registered_on: date
    applied: tuple[tuple[str, date], ...]  # (village code, applied on)


@dataclass(frozen=True)
class IncomeReport:
    village_code: str
    district: str
    year: int
    income_fen: int
    reported_on: date
    note: str | None
    flagged: bool = False  # the assessment service flags it for review (a jump beyond its factor)
    reviewed: tuple[date, bool] | None = None  # (on, accepted): a rejected report counts as none

    def stands_on(self, day: date) -> bool:
        return self.reported_on <= day and not (self.reviewed and self.reviewed[0] <= day and not self.reviewed[1])

    def flagged_on(self, day: date) -> bool:
        return self.flagged and not (self.reviewed and self.reviewed[0] <= day)


@dataclass(frozen=True)
class FarmerIncome:
    village_code: str
    district: str
    year: int
    per_capita_fen: int
    reported_on: date


@dataclass(frozen=True)
class CityGrowth:
    year: int
    per_capita_fen: int
    growth_pct: Decimal
    reported_on: date


@dataclass(frozen=True)
class Cover:
    cover: str  # medical_insurance | education_aid | housing_renovation
    eligible_on: date
    covered_on: date | None  # None: a gap that stays open
    withdrawn_on: date | None = None  # eligibility withdrawn (only of a gap)

    def eligible_by(self, day: date) -> bool:
        return self.eligible_on <= day and not (self.withdrawn_on and self.withdrawn_on <= day)


@dataclass(frozen=True)
class LowIncomePerson:
    person_id: str
    household_id: str
    village_code: str
    district: str
    registered_on: date
    covers: tuple[Cover, ...]


@dataclass(frozen=True)
class Finding:
    finding_id: str
    text: str
    deadline: date
    rectified_on: date | None
    accepted_on: date | None


@dataclass(frozen=True)
class Inspection:
    inspection_id: str
    target_kind: str  # village | team
    target_id: str
    district: str
    inspected_on: date
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class AnnualAssessment:
    year: int
    rubric_on: date
    as_of: date
    computed_on: date
    published_on: date
    marks: dict[str, int]  # team id → assessors' own mark, 0–100
    weights: dict[str, int]  # the rubric: dimension → weight
    presence_days_per_year: int  # the rubric's parameter: presence expected of a member a year


@dataclass(frozen=True)
class Scenario:
    seed: int
    size: ScenarioSize
    end: date
    villages: tuple[Village, ...]
    screening: Screening
    units: tuple[Unit, ...]
    cadres: tuple[Cadre, ...]
    trainings: tuple[Training, ...]
    teams: tuple[Team, ...]
    assignments: tuple[Assignment, ...]
    check_ins: tuple[CheckIn, ...]
    leaves: tuple[Leave, ...]
    insurances: tuple[Insurance, ...]
    projects: tuple[Project, ...]
    lines: tuple[BudgetLine, ...]
    allocations: tuple[Allocation, ...]
    disbursements: tuple[Disbursement, ...]
    policies: tuple[Policy, ...]
    incomes: tuple[IncomeReport, ...]
    farmer_incomes: tuple[FarmerIncome, ...]
    city_growth: tuple[CityGrowth, ...]
    persons: tuple[LowIncomePerson, ...]
    inspections: tuple[Inspection, ...]
    assessments: tuple[AnnualAssessment, ...]
    team_changes: tuple[TeamChange, ...] = ()
    graduations: tuple[Graduation, ...] = ()
    rescreening: Screening | None = None  # the run that supersedes the first, after the graduations

    @cached_property
    def designated(self) -> frozenset[str]:
        """Designated by the first run."""
        return frozenset(self.screening.designated)

    def secretary_on(self, team: Team, day: date) -> str:
        changes = [c for c in self.team_changes if c.team_id == team.team_id and c.new_secretary and c.on <= day]
        return max(changes, key=lambda c: c.on).new_secretary if changes else team.first_secretary_id

    def members_on(self, team: Team, day: date) -> list[str]:
        if not self.exists_on(team, day):
            return []
        gone = {c.removed for c in self.team_changes if c.team_id == team.team_id and c.removed and c.on <= day}
        return [m for m in team.member_ids if m not in gone]

    def exists_on(self, team: Team, day: date) -> bool:
        """Formed by ``day`` and not dissolved by then."""
        return team.formed_on <= day and not any(
            c.dissolved and c.team_id == team.team_id and c.on <= day for c in self.team_changes)

    def screening_on(self, day: date) -> Screening:
        return self.rescreening if self.rescreening and self.rescreening.on <= day else self.screening

    def designated_on(self, day: date) -> frozenset[str]:
        """The list as of ``day``: the run in force, less the villages graduated since."""
        if day < self.screening.on:
            return frozenset()
        run = self.screening_on(day)
        return frozenset(run.designated) - {g.village_code for g in self.graduations if g.on <= day}

    @cached_property
    def graduation_of(self) -> dict[str, Graduation]:
        return {g.village_code: g for g in self.graduations}

    @cached_property
    def paid_of(self) -> dict[str, int]:
        """Each allocation's net payments once everything planned has happened."""
        out: dict[str, int] = {}
        for d in self.disbursements:
            if d.paid_on and not d.reversed_on:
                out[d.allocation_id] = out.get(d.allocation_id, 0) + d.amount_fen
        return out

    def frozen_on(self, a: Allocation, day: date) -> int | None:
        """What a frozen allocation had not paid, while frozen on ``day``; None if not frozen."""
        g = self.graduation_of.get(a.village_code)
        if g is None or not g.on <= day < g.released_on or a.allocated_on > g.on or (
                a.cancelled_on and a.cancelled_on <= g.on):
            return None
        return a.amount_fen - self.paid_of.get(a.allocation_id, 0)

    @cached_property
    def village_by_code(self) -> dict[str, Village]:
        return {v.code: v for v in self.villages}

    @cached_property
    def unit_of_cadre(self) -> dict[str, str]:
        return {c.cadre_id: c.unit_id for c in self.cadres}

    @cached_property
    def team_of_cadre(self) -> dict[str, Team]:
        return {m: t for t in self.teams for m in t.member_ids}

    def village(self, code: str) -> Village:
        return self.village_by_code[code]

    @cached_property
    def project_by_id(self) -> dict[str, Project]:
        return {p.project_id: p for p in self.projects}

    def allocated_on(self, a: Allocation, day: date) -> int:
        """An allocation's amount as of ``day``: nothing once cancelled; once its project is
        cancelled, only the tranches already released (the advance, verified milestones) —
        funding returns the rest to the line."""
        if a.allocated_on > day or (a.cancelled_on and a.cancelled_on <= day):
            return 0
        g = self.graduation_of.get(a.village_code)
        if g is not None and g.released_on <= day:
            return self.paid_of.get(a.allocation_id, 0)  # frozen, and the remainder returned to the line
        project = self.project_by_id.get(a.project_id) if a.project_id else None
        if project is None or not project.cancelled_by(day):
            return a.amount_fen
        verified = {m.milestone_id for m in project.milestones if m.verified_on}
        return sum(t.amount_fen for t in a.tranches if t.milestone_id is None or t.milestone_id in verified)
