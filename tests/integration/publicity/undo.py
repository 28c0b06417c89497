"""The scenario's facts undone and corrected, as the other services' contract events.

Two waves after the forward history (which ends 2022-02-01):

- ``FIRST`` (2022-03-10): the team leaves village a, cadre 2 leaves the team, the person's
  medical cover ends, the payment is reversed and the waiting request rejected, the allocation
  and the budget line are cut, village a's 2021 income is corrected below the target and its
  2018 baseline corrected;
- ``SECOND`` (2022-04-10): a superseding screening leaves village d out (revoked), the
  person is no longer eligible for education aid, the allocation is cancelled.

As of 2022-03-01 every figure must still be the forward one.
"""

from __future__ import annotations

from datetime import date

from shared.privacy.cipher import new_data_key, seal
from shared.contracts import assessment as A
from shared.contracts import funding as F
from shared.contracts import registry as R
from shared.eventstore import DomainEvent

from tests.integration.publicity.scenario import Scenario, Step, at

BEFORE, FIRST, BETWEEN, SECOND = "2022-03-01", "2022-03-10", "2022-03-31", "2022-04-10"


def undo_steps(s: Scenario) -> list[Step]:
    steps: list[Step] = []

    def add(source: str, stream: str, day: str, event: DomainEvent) -> None:
        steps.append(Step(source, stream, at(day), event))

    a, d = s.a, s.d
    add("registry", f"team-{s.team}", FIRST, R.TeamUnassigned(
        team_id=s.team, village_code=a, district=s.district, reason="轮换 / rotated"))
    add("registry", f"team-{s.team}", FIRST, R.TeamMembersChanged(
        team_id=s.team, added=[], removed=[s.cadre2], first_secretary_id=s.cadre1))
    add("assessment", f"person-{s.person}", FIRST, A.CoverageEnded(
        person_id=s.person, village_code=a, district=s.district, cover="medical_insurance",
        ended_on=date(2022, 3, 10), reason=seal(new_data_key(), f"person-{s.person}", "参保中断 / lapsed")))
    common = dict(allocation_id=s.allocation, village_code=a, district=s.district)
    add("funding", f"disbursement-{s.paid}", FIRST, F.DisbursementReversed(
        disbursement_id=s.paid, line_id=s.line, source="city_special", amount_fen=100_000_00,
        reason="重复支付 / paid twice", **common))
    add("funding", f"disbursement-{s.waiting}", FIRST, F.DisbursementRejected(
        disbursement_id=s.waiting, amount_fen=50_000_00, reason="材料不全 / incomplete", **common))
    add("funding", f"allocation-{s.allocation}", FIRST, F.AllocationAdjusted(
        allocation_id=s.allocation, line_id=s.line, village_code=a, amount_fen=200_000_00,
        previous_fen=300_000_00, reason="压减 / cut"))
    add("funding", f"line-{s.line}", FIRST, F.AppropriationAdjusted(
        line_id=s.line, amount_fen=800_000_00, previous_fen=1_000_000_00, reason="调减 / cut"))
    add("assessment", f"income-{a}", FIRST, A.CollectiveIncomeReported(
        village_code=a, district=s.district, year=2021, income_fen=150_000_00, note="更正 / corrected"))
    add("registry", f"village-{a}", FIRST, R.VillageIncomeCorrected(
        code=a, district=s.district, year="2018", income_fen=40_000_00, previous_fen=50_000_00,
        reason="审计更正 / audit"))

    run2 = f"{s.run}-2"
    incomes = {a: 50_000_00, d: 60_000_00}
    ranked = [R.RankedVillage(code=code, district=code[:6], income_fen={"2018": fen, "2019": fen, "2020": fen},
                              average_fen=fen, rank=i + 1) for i, (code, fen) in enumerate(incomes.items())]
    add("registry", f"screening-{run2}", SECOND, R.ScreeningCompleted(
        run_id=run2, rule="bottom_n_by_average_2018_2020", rule_version=1, tie_break="average asc, code asc",
        quota=1, ranked=ranked, cutoff_average_fen=50_000_00, designated=[a], supersedes=s.run, removed=[d],
        villages_ranked=2, designated_count=1, removed_count=1))  # the lists inline, as a v1 run has them
    add("registry", f"village-{d}", SECOND, R.DesignationRevoked(
        code=d, district=d[:6], run_id=run2, reason="重新筛查移出 / left out by the new screening"))
    add("assessment", f"person-{s.person}", SECOND, A.EligibilityRecorded(
        person_id=s.person, village_code=a, district=s.district, cover="education_aid", eligible=False,
        recorded_on=date(2022, 4, 10)))
    add("funding", f"allocation-{s.allocation}", SECOND, F.AllocationCancelled(
        allocation_id=s.allocation, line_id=s.line, village_code=a, released_fen=200_000_00,
        reason="项目取消 / project dropped"))
    return steps
