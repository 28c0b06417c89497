"""A small programme history with known dates, as the other services' contract events.

Ids carry a suffix so that scenarios built in one test session never collide. Used by the
integration tests (fed straight to the projection) and the end-to-end tests (appended to the
other services' event stores, so their relays publish them).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime

from shared.contracts import assessment as A
from shared.contracts import funding as F
from shared.contracts import registry as R
from shared.eventstore import DomainEvent
from shared.privacy.cipher import seal, new_data_key

_serial = itertools.count(random.randrange(100_000, 800_000))
SECRET_NAME = "张保密"  # a cadre's name: must never leave the registry's API
SECRET_TITLE = "副处长保密"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Step:
    source: str
    stream_id: str
    occurred_at: datetime
    event: DomainEvent


class Scenario:
    """Villages a (designated, with a team), d (designated, no team), b and c (not designated)."""

    def __init__(self, district: str = "120119", other: str = "120114"):
        n = next(_serial)
        self.tag = f"s{n}"
        self.district, self.other = district, other
        self.a, self.b, self.c = (f"{district}{next(_serial):06d}" for _ in range(3))
        self.d = f"{other}{next(_serial):06d}"
        t = self.tag
        self.unit1, self.unit2, self.team = f"unit-{t}-1", f"unit-{t}-2", f"team-{t}"
        self.cadre1, self.cadre2 = f"cadre-{t}-1", f"cadre-{t}-2"
        self.person, self.household = f"person-{t}-1", f"household-{t}-1"
        self.line, self.allocation = f"line-{t}", f"alloc-{t}"
        self.paid, self.waiting = f"disb-{t}-1", f"disb-{t}-2"
        self.project, self.run = f"proj-{t}", f"run-{t}"

    def steps(self) -> list[Step]:
        a, b, c, d, t = self.a, self.b, self.c, self.d, self.tag
        s: list[Step] = []

        def add(source: str, stream: str, day: str, event: DomainEvent) -> None:
            s.append(Step(source, stream, at(day), event))

        incomes = {a: 50_000_00, b: 900_000_00, c: 800_000_00, d: 60_000_00}
        for code, fen in incomes.items():
            add("registry", f"village-{code}", "2021-01-10", R.VillageRegistered(
                code=code, name=f"{t}村{code[-3:]}", district=code[:6], town="测试镇", village_type="agriculture",
                income_fen={"2018": fen, "2019": fen, "2020": fen}))
        ranked = [R.RankedVillage(code=code, district=code[:6], income_fen={"2018": fen, "2019": fen, "2020": fen},
                                  average_fen=fen, rank=i + 1)
                  for i, (code, fen) in enumerate(sorted(incomes.items(), key=lambda kv: kv[1]))]
        add("registry", f"screening-{self.run}", "2021-03-01", R.ScreeningCompleted(
            run_id=self.run, rule="bottom_n_by_average_2018_2020", rule_version=1, tie_break="average asc, code asc",
            quota=2, ranked=ranked, cutoff_average_fen=60_000_00, designated=[a, d], villages_ranked=4,
            designated_count=2))  # the lists inline, as a run recorded as v1 has them (pages = 0)
        for code, rank in ((a, 1), (d, 2)):
            add("registry", f"village-{code}", "2021-03-01", R.VillageDesignated(
                code=code, district=code[:6], run_id=self.run, rank=rank, average_fen=incomes[code]))
        add("registry", f"unit-{self.unit1}", "2021-03-15", R.UnitRegistered(
            unit_id=self.unit1, name=f"{t}市农业农村委", level="city", strengths=["agriculture"]))
        add("registry", f"unit-{self.unit2}", "2021-03-15", R.UnitRegistered(
            unit_id=self.unit2, name=f"{t}蓟州区财政局", level="district", district=self.district,
            strengths=["finance"]))
        for cadre, unit in ((self.cadre1, self.unit1), (self.cadre2, self.unit2)):
            # Sealed as the registry does, under a key nobody keeps (publicity never needs it).
            key = new_data_key()
            add("registry", f"cadre-{cadre}", "2021-03-15", R.CadreRegistered(
                cadre_id=cadre, unit_id=unit, name=seal(key, f"cadre-{cadre}", SECRET_NAME),
                title=seal(key, f"cadre-{cadre}", SECRET_TITLE)))
        add("registry", f"team-{self.team}", "2021-03-20", R.WorkTeamFormed(
            team_id=self.team, lead_unit_id=self.unit1, partner_unit_ids=[self.unit2],
            member_ids=[self.cadre2], first_secretary_id=self.cadre1, district=self.district))
        add("registry", f"team-{self.team}", "2021-04-01", R.TeamAssigned(
            team_id=self.team, lead_unit_id=self.unit1, village_code=a, district=self.district,
            reason="农业 fits agriculture"))
        add("registry", f"cadre-{self.cadre1}", "2021-04-05", R.CadreTrained(
            cadre_id=self.cadre1, course="第一书记集中培训", completed_on=date(2021, 4, 5)))
        add("registry", f"team-{self.team}", "2021-04-10", R.TeamEnteredVillage(
            team_id=self.team, village_code=a, entered_on=date(2021, 4, 10)))
        add("registry", f"cadre-{self.cadre1}", "2021-04-10", R.InsuranceRecorded(
            cadre_id=self.cadre1, policy_no=seal(new_data_key(), f"cadre-{self.cadre1}", f"POL-{t}"), valid_from=date(2021, 4, 1), valid_to=date(2022, 3, 31)))
        for day in ("2021-04-11", "2021-04-12", "2021-05-03"):
            add("registry", f"cadre-{self.cadre1}", day, R.CadrePresenceLogged(
                cadre_id=self.cadre1, team_id=self.team, village_code=a, day=date.fromisoformat(day),
                togethers=["eat", "live"]))
        add("registry", f"cadre-{self.cadre1}", "2021-05-20", R.LeaveApproved(
            leave_id=f"leave-{t}", cadre_id=self.cadre1, team_id=self.team, start=date(2021, 5, 21),
            end=date(2021, 5, 23), days=3))
        add("registry", f"cadre-{self.cadre1}", "2021-05-31", R.AllowanceComputed(
            cadre_id=self.cadre1, team_id=self.team, month="2021-04", presence_days=2, amount_fen=200_00))

        add("funding", f"line-{self.line}", "2021-06-01", F.BudgetAppropriated(
            line_id=self.line, source="city_special", fiscal_year=2021, scope="city", title="市级专项",
            amount_fen=1_000_000_00))
        add("funding", f"allocation-{self.allocation}", "2021-06-02", F.FundsAllocated(
            allocation_id=self.allocation, line_id=self.line, source="city_special", fiscal_year=2021,
            village_code=a, district=self.district, project_id=self.project, task_no=1, amount_fen=300_000_00))
        common = dict(allocation_id=self.allocation, village_code=a, district=self.district)
        add("funding", f"disbursement-{self.paid}", "2021-06-05", F.DisbursementRequested(
            disbursement_id=self.paid, line_id=self.line, source="city_special", project_id=self.project,
            task_no=1, amount_fen=100_000_00, **common))
        add("funding", f"disbursement-{self.paid}", "2021-06-10", F.DisbursementApproved(
            disbursement_id=self.paid, amount_fen=100_000_00, **common))
        add("funding", f"disbursement-{self.paid}", "2021-06-20", F.DisbursementPaid(
            disbursement_id=self.paid, line_id=self.line, source="city_special", project_id=self.project, task_no=1,
            amount_fen=100_000_00, paid_on=date(2021, 6, 20), voucher_no=f"V-{t}", **common))
        add("funding", f"disbursement-{self.waiting}", "2021-07-01", F.DisbursementRequested(
            disbursement_id=self.waiting, line_id=self.line, source="city_special", task_no=1,
            amount_fen=50_000_00, **common))

        add("assessment", f"project-{self.project}", "2021-06-01", A.ProjectPlanned(
            project_id=self.project, village_code=a, district=self.district, action_code="industry", task_no=1,
            title=f"{t}食用菌大棚", planned_start=date(2021, 7, 1), planned_end=date(2022, 6, 30), milestones=[
                A.PlannedMilestone(milestone_id="m1", title="大棚建成", due_on=date(2021, 9, 30)),
                A.PlannedMilestone(milestone_id="m2", title="投产", due_on=date(2022, 3, 31))]))
        add("assessment", f"project-{self.project}", "2021-09-20", A.MilestoneVerified(
            project_id=self.project, milestone_id="m1", village_code=a, district=self.district, task_no=1,
            verified_on=date(2021, 9, 20)))
        for code, fen in ((a, 250_000_00), (d, 150_000_00)):
            add("assessment", f"income-{code}", "2022-01-15", A.CollectiveIncomeReported(
                village_code=code, district=code[:6], year=2021, income_fen=fen))
        for code, fens in ((a, (1_500_000, 1_700_000)), (d, (1_400_000, 1_500_000))):
            for year, fen in zip((2020, 2021), fens, strict=True):
                add("assessment", f"income-{code}", "2022-01-15", A.FarmerIncomeReported(
                    village_code=code, district=code[:6], year=year, per_capita_fen=fen))
        add("assessment", "city-income", "2022-01-20", A.CityIncomeGrowthReported(
            year=2021, per_capita_fen=2_750_000, growth_pct="10.6"))
        add("assessment", f"person-{self.person}", "2021-05-01", A.LowIncomePersonRegistered(
            person_id=self.person, household_id=self.household, village_code=a, district=self.district))
        for cover in ("medical_insurance", "education_aid"):
            add("assessment", f"person-{self.person}", "2021-05-01", A.EligibilityRecorded(
                person_id=self.person, village_code=a, district=self.district, cover=cover, eligible=True))
        add("assessment", f"person-{self.person}", "2021-05-10", A.CoverageRecorded(
            person_id=self.person, village_code=a, district=self.district, cover="medical_insurance",
            covered_on=date(2021, 5, 10)))
        add("assessment", f"assessment-{t}", "2022-02-01", A.AssessmentPublished(
            year=2021, as_of=date(2021, 12, 31), results=[
                A.AssessmentScore(subject_kind="team", subject_id=self.team, scores={"work": "92"}, total="92",
                                  grade="优秀"),
                A.AssessmentScore(subject_kind="unit", subject_id=self.unit1, scores={"work": "85"}, total="85",
                                  grade="良好")]))
        return s
