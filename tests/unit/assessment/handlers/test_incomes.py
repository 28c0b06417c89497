"""The city's income report and the review of a flagged village report, without PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.contracts.assessment import CityIncomeGrowthReported, IncomeReportReviewed
from shared.eventstore.errors import DomainError, Forbidden, NotFound
from shared.identity import Principal, Role

from services.assessment.domain.incomes import ReportCityIncome, ReviewIncomeReport
from services.assessment.handlers import incomes
from tests.unit.assessment.handlers.support import CITY_ASSESSOR, unit_on
from tests.unit.assessment.test_incomes import flagged_2021

VILLAGE = {"village_code": "120119001001", "year": 2021}
ACCEPT = ReviewIncomeReport(measure="collective", accepted=True, reason="并网凭证齐全")


async def test_the_city_reports_its_income_and_growth():
    uow = unit_on(date(2022, 1, 5))
    cmd = ReportCityIncome(year=2021, per_capita_income=Decimal("27955"), growth_pct=Decimal("10.5"))
    done = await incomes.report_city_income(uow, cmd)
    assert done == {"year": 2021, "per_capita_income": "27955.00", "growth_pct": "10.50", "changed": True,
                    "stream_version": 1}
    assert [type(e) for e in uow.events] == [CityIncomeGrowthReported]


async def test_the_city_growth_must_be_given_the_first_year():
    uow = unit_on(date(2022, 1, 5))
    with pytest.raises(DomainError) as refused:
        await incomes.report_city_income(uow, ReportCityIncome(year=2021, per_capita_income=Decimal("27955")))
    assert refused.value.field == "growth_pct" and uow.events == []


async def test_a_flagged_report_is_reviewed_by_someone_else():
    uow = unit_on(date(2022, 2, 1), flagged_2021())
    done = await incomes.review_village_income(uow, ACCEPT, CITY_ASSESSOR, **VILLAGE)
    assert (done["accepted"], done["amount"], done["reviewed_on"]) == (True, "400000.00", "2022-02-01")
    assert [type(e) for e in uow.events] == [IncomeReportReviewed]


async def test_the_reporter_may_not_review_and_a_village_without_reports_is_not_found():
    uow = unit_on(date(2022, 2, 1), flagged_2021(reporter="assessor:zhao"))
    with pytest.raises(Forbidden):
        await incomes.review_village_income(uow, ACCEPT, CITY_ASSESSOR, **VILLAGE)
    with pytest.raises(NotFound):
        await incomes.review_village_income(uow, ACCEPT, CITY_ASSESSOR, village_code="120119009999", year=2021)
    with pytest.raises(Forbidden):  # an assessor of another district
        await incomes.review_village_income(uow, ACCEPT, Principal(subject="sun", role=Role.assessor,
                                                                   district="120110"), **VILLAGE)
    assert uow.events == []
