"""Re-running an assessment for the same year and day gives the same scores after later
events — even back-dated ones — and after the facts are rebuilt in another order; a
fresh computation (refresh) does see them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.contracts.funding import DisbursementPaid, FundsAllocated

from services.assessment.domain.assessment import ComputeAssessment, PublishAssessment, ReviewAssessment
from services.assessment.domain.commands import VerifyMilestone
from services.assessment.domain.incomes import ReportVillageIncome
from services.assessment.domain.projects import ReportMilestone
from services.assessment.handlers import assessments, incomes, projects
from tests.integration.assessment.scenario import (
    ASSESSOR,
    FACTOR,
    REVIEWER,
    TEAM1,
    TEAM2,
    V1,
    V2,
    presence,
    world_of_2022,
)
from tests.integration.assessment.world import World

AS_OF = date(2023, 1, 31)  # the year's incomes are reported in January


@pytest.fixture
async def world(settings):
    async with world_of_2022(settings, "arep") as world:
        yield world


async def compute(world: World, refresh: bool = False, day: date = date(2023, 2, 1)) -> dict:
    cmd = ComputeAssessment(as_of=AS_OF, refresh=refresh)
    return await world.command(lambda uow: assessments.compute(uow, cmd, ASSESSOR, year=2022), principal=ASSESSOR,
                               day=day)


def scores(result: dict) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r["subject_kind"], r["subject_id"]): (r["total"], r["grade"]) for r in result["results"]}


async def later_events(world: World) -> None:
    """Facts that arrive after the computation, most of them back-dated into 2022."""
    fix = ReportVillageIncome(village_code=V2, year=2022, collective_income=Decimal("210000"), note="补报一笔租金收入")
    await world.command(lambda uow: incomes.report_village_income(uow, fix, TEAM2, FACTOR), principal=TEAM2,
                        day=date(2023, 1, 20))
    evidence = ReportMilestone(evidence_text="已投产", evidence_sha256=["c" * 64])
    await world.command(lambda uow: projects.report_milestone(uow, evidence, TEAM1, project_id="P-1", milestone_id="m2"),
                        principal=TEAM1, day=date(2022, 9, 28))
    await world.command(lambda uow: projects.verify_milestone(uow, VerifyMilestone(), ASSESSOR, project_id="P-1",
                                                              milestone_id="m2"), principal=ASSESSOR,
                        day=date(2022, 9, 29))
    await presence(world, "c3", "T-2", V2, date(2022, 7, 1), 40)
    await world.foreign("funding", FundsAllocated(allocation_id="A-1", line_id="L-1", source="city_special",
                                                  fiscal_year=2022, village_code=V1, district="120119",
                                                  amount_fen=1_000_000), date(2022, 2, 1))
    await world.foreign("funding", DisbursementPaid(disbursement_id="D-1", allocation_id="A-1", line_id="L-1",
                                                    source="city_special", village_code=V1, district="120119",
                                                    amount_fen=1_000_000, paid_on=date(2022, 3, 1),
                                                    voucher_no="V-1"), date(2022, 3, 1))
    await world.sync()


async def test_a_rerun_after_later_events_gives_the_same_scores_and_a_refresh_sees_them(world):
    first = await compute(world)
    assert first["recorded"] and first["cutoff"]["assessment"] > 0 and first["cutoff"]["registry"] > 0
    # T-1: income 100 × 50 + milestones (1 of 2) 50 × 30 + presence (30 of 2 × 30 days) 50 × 20
    assert scores(first)[("team", "T-1")] == ("75.00", "一般")
    assert scores(first)[("team", "T-2")] == ("0.00", "较差")  # below 200,000 yuan, no presence, no milestones
    assert scores(first)[("unit", "U-1")] == scores(first)[("district", "120119")] == ("46.67", "较差")

    await later_events(world)
    again = await compute(world, day=date(2023, 2, 10))
    assert again["recorded"] is False and again["reproduced"] is True
    assert again["results"] == first["results"] and again["cutoff"] == first["cutoff"]

    fresh = await compute(world, refresh=True, day=date(2023, 2, 10))
    assert fresh["recorded"] and fresh["cutoff"]["registry"] > first["cutoff"]["registry"]
    assert fresh["cutoff"]["funding"] > 0
    assert scores(fresh)[("team", "T-1")] == ("90.00", "优秀")  # m2 verified on time, back-dated
    assert scores(fresh)[("team", "T-2")] == ("100.00", "优秀")  # corrected income, back-dated presence


async def test_a_rerun_holds_after_the_facts_are_rebuilt_in_another_order(world):
    first = await compute(world)
    await later_events(world)
    await world.rebuild_facts(("funding", "registry", "assessment"))
    again = await compute(world, day=date(2023, 2, 1))
    assert again["reproduced"] is True and again["results"] == first["results"]


async def test_the_computation_event_records_its_cutoff_and_a_published_year_reruns_only_its_day(world):
    first = await compute(world)
    await world.command(lambda uow: assessments.review(uow, ReviewAssessment(as_of=AS_OF, approved=True), REVIEWER,
                                                       year=2022), principal=REVIEWER)
    await world.command(lambda uow: assessments.publish(uow, PublishAssessment(as_of=AS_OF), year=2022))
    events = await world.store.read_stream(None, "assessment-2022")
    computed = next(e for e in events if e.type == "AssessmentComputed")
    assert computed.payload["cutoff"] == first["cutoff"] and computed.payload["computed_by"] == "assessor:wang"
    published = next(e for e in events if e.type == "AssessmentPublished")
    assert published.payload["results"] == first["results"]
    await later_events(world)
    assert (await compute(world, day=date(2023, 3, 1)))["reproduced"] is True
    from shared.eventstore.errors import Conflict

    with pytest.raises(Conflict):
        await compute(world, refresh=True, day=date(2023, 3, 1))
