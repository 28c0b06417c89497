"""As-of queries over the facts: overdue milestones, the gap list, income checks, findings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.assessment.domain.commands import AcceptRectification
from services.assessment.domain.coverage import RecordCoverage, RegisterPerson
from services.assessment.domain.incomes import ReportVillageIncome
from services.assessment.domain.inspections import RecordInspection, ReportRectification
from services.assessment.handlers import coverage, incomes, inspections
from services.assessment.queries import coverage as gap_queries
from services.assessment.queries import incomes as income_queries
from services.assessment.queries import inspections as finding_queries
from services.assessment.queries import milestones as milestone_queries
from services.assessment.queries.scope import ReadScope
from tests.integration.assessment.scenario import ASSESSOR, FACTOR, TEAM1, TEAM2, V1, V2, world_of_2022
from tests.integration.assessment.world import CITY

CITY_WIDE = ReadScope()  # the queries take the reader's scope; these tests read as the city office

INSPECTOR = CITY.model_copy(update={"subject": "zhao"})


@pytest.fixture
async def world(settings):
    async with world_of_2022(settings, "aq") as world:
        yield world


async def test_a_milestone_is_flagged_overdue_the_day_after_it_was_due(world):
    async with world.pool.acquire() as conn:
        on_due_day = await milestone_queries.overdue(conn, date(2022, 9, 30), None, None, 100, 0, CITY_WIDE)
        day_after = await milestone_queries.overdue(conn, date(2022, 10, 1), "120119", None, 100, 0, CITY_WIDE)
        summary = await milestone_queries.summary(conn, date(2022, 10, 1), None, CITY_WIDE)
        listed = await milestone_queries.projects(conn, date(2022, 10, 1), None, V1, None, 10, None, CITY_WIDE)
        before_planning = await milestone_queries.projects(conn, date(2022, 1, 4), None, V1, None, 10, None, CITY_WIDE)
    assert on_due_day["total"] == 0
    assert [(m["milestone_id"], m["days_overdue"], m["status"]) for m in day_after["items"]] == [("m2", 1, "planned")]
    assert [(p["project_id"], p["milestones"], p["verified"], p["overdue"]) for p in listed["items"]] == [
        ("P-1", 2, 1, 1)]
    assert before_planning["items"] == []
    assert summary["tasks"] == [{"action_code": "industry", "task_no": 1, "projects": 1, "done": 0, "in_progress": 1,
                                 "planned": 0, "overdue_milestones": 1}]


async def test_the_gap_list_names_everyone_eligible_and_not_covered(world):
    for person, village, who, covers in (("P-0001", V1, TEAM1, ["medical_insurance", "education_aid"]),
                                         ("P-0002", V2, TEAM2, ["housing_renovation"])):
        cmd = RegisterPerson(person_id=person, household_id=f"H-{person}", village_code=village, eligible_for=covers)
        await world.command(lambda uow, cmd=cmd, who=who: coverage.register_person(uow, cmd, who),
                            day=date(2022, 3, 1))
    await world.command(lambda uow: coverage.record_coverage(uow, RecordCoverage(cover="medical_insurance"), TEAM1,
                                                             person_id="P-0001"), day=date(2022, 4, 1))
    await world.sync()
    async with world.pool.acquire() as conn:
        before = await gap_queries.gaps(conn, date(2022, 3, 31), None, None, CITY_WIDE)
        after = await gap_queries.gaps(conn, date(2022, 4, 1), None, None, CITY_WIDE)
        village = await gap_queries.gaps(conn, date(2022, 4, 1), None, V2, CITY_WIDE)
    assert before["gaps_total"] == 3 and after["gaps_total"] == 2
    assert after["by_cover"]["medical_insurance"] == {"eligible": 1, "covered": 1, "gaps": 0}
    assert [(v["village_code"], [g["cover"] for g in v["gaps"]]) for v in after["villages"]] == [
        (V1, ["education_aid"]), (V2, ["housing_renovation"])]
    assert [g["person_id"] for v in village["villages"] for g in v["gaps"]] == ["P-0002"]


async def test_income_checks_count_the_target_and_the_growth_against_the_city(world):
    for code, now, before in ((V1, "22000", "20000"), (V2, "21000", "20000")):
        for year, amount in ((2021, before), (2022, now)):
            cmd = ReportVillageIncome(village_code=code, year=year, farmer_per_capita_income=Decimal(amount))
            await world.command(lambda uow, cmd=cmd: incomes.report_village_income(uow, cmd, CITY, FACTOR),
                                day=date(year + 1, 1, 5))
    await world.sync()
    async with world.pool.acquire() as conn:
        checks = await income_queries.checks(conn, 2022, date(2023, 1, 31), None, True, CITY_WIDE)
        too_early = await income_queries.checks(conn, 2022, date(2022, 12, 31), None, True, CITY_WIDE)
    summary = checks["summary"]
    assert (summary["villages"], summary["reached_200k"], summary["not_reached"]) == (2, 1, [V2])
    assert [(v["growth_pct"], v["beats_city"]) for v in checks["villages"]] == [("10.00", True), ("5.00", False)]
    assert (summary["weak_villages_growth_pct"], summary["city_growth_pct"], summary["weak_villages_beat_city"]) == (
        "7.50", "6.00", True)
    assert too_early["summary"]["reported"] == 0  # the 2022 figures were reported in January 2023


async def test_findings_are_overdue_after_their_deadline_until_accepted(world):
    cmd = RecordInspection.model_validate({
        "inspection_id": "I-1", "target_kind": "team", "target_id": "T-1", "inspected_on": "2022-06-01",
        "findings": [{"finding_id": "f1", "text": "台账不全", "deadline": "2022-06-30"},
                     {"finding_id": "f2", "text": "公示不及时", "deadline": "2022-07-31"}]})
    await world.command(lambda uow: inspections.record_inspection(uow, cmd, INSPECTOR))
    await world.command(lambda uow: inspections.report_rectification(uow, ReportRectification(text="已补"), TEAM1,
                                                                     inspection_id="I-1", finding_id="f1"),
                        day=date(2022, 6, 20))
    await world.command(lambda uow: inspections.accept_rectification(uow, AcceptRectification(), ASSESSOR,
                                                                     inspection_id="I-1", finding_id="f1"),
                        day=date(2022, 6, 25))
    await world.sync()
    async with world.pool.acquire() as conn:
        july = await finding_queries.findings(conn, date(2022, 8, 1), None, None, True, 100, 0, CITY_WIDE)
        june = await finding_queries.findings(conn, date(2022, 6, 30), None, "T-1", False, 100, 0, CITY_WIDE)
    assert [(f["finding_id"], f["days_overdue"]) for f in july["items"]] == [("f2", 1)]
    assert [(f["finding_id"], f["status"], f["overdue"]) for f in june["items"]] == [("f1", "accepted", False),
                                                                                     ("f2", "open", False)]
