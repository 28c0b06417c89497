"""Income reports: negative refused, a jump beyond the factor refused without a note and
flagged with one, the 200,000-yuan target, the city's growth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.eventstore.errors import DomainError
from services.assessment.domain.incomes import (
    CityIncome,
    ReportCityIncome,
    ReportVillageIncome,
    VillageIncome,
    growth_pct,
    reached_target,
)

FACTOR = Decimal(3)
BASELINE = {2018: 9_000_000, 2019: 9_500_000, 2020: 10_000_000}  # fen: 100,000 yuan in 2020


def report(incomes: VillageIncome, year: int, collective=None, farmer=None, note=None):
    cmd = ReportVillageIncome(village_code=incomes.key, year=year, collective_income=collective,
                              farmer_per_capita_income=farmer, note=note)
    return incomes.report(cmd, "120119", FACTOR, BASELINE, date(year + 1, 1, 10))


def test_a_plausible_report_is_recorded_unflagged():
    incomes = VillageIncome("120119001001")
    events = report(incomes, 2021, collective=Decimal("210000.50"), farmer=Decimal("18000"))
    assert [(type(e).__name__, e.flagged) for e in events] == [("CollectiveIncomeReported", False),
                                                                ("FarmerIncomeReported", False)]
    assert events[0].income_fen == 21_000_050


def test_a_negative_income_is_refused_with_its_field():
    with pytest.raises(DomainError) as refused:
        report(VillageIncome("120119001001"), 2021, collective=Decimal("-1"))
    assert refused.value.field == "collective_income" and "negative" in refused.value.message
    with pytest.raises(DomainError) as refused:
        report(VillageIncome("120119001001"), 2021, farmer=Decimal("-0.01"))
    assert refused.value.field == "farmer_per_capita_income"


def test_a_jump_against_the_registry_baseline_needs_a_note_and_is_then_flagged():
    incomes = VillageIncome("120119001001")
    with pytest.raises(DomainError) as refused:
        report(incomes, 2021, collective=Decimal("300000.01"))  # > 3 × 100,000
    assert refused.value.field == "note" and "100000.00" in refused.value.message
    assert not incomes.pending  # nothing recorded
    events = report(incomes, 2021, collective=Decimal("300000.01"), note="新建光伏电站并网发电")
    assert events[0].flagged and "3" in events[0].flag_reason and events[0].note == "新建光伏电站并网发电"
    assert not report(VillageIncome("120119001002"), 2021, collective=Decimal("300000.00"))[0].flagged  # exactly 3×


def test_a_collapse_is_a_jump_too_and_one_bad_figure_records_nothing():
    incomes = VillageIncome("120119001001")
    report(incomes, 2021, collective=Decimal("250000"), farmer=Decimal("20000"))
    with pytest.raises(DomainError):
        report(incomes, 2022, collective=Decimal("260000"), farmer=Decimal("6000"))  # farmer income fell below 1/3
    assert len(incomes.pending) == 2  # only 2021's two events


def test_a_correction_with_the_same_figure_changes_nothing():
    incomes = VillageIncome("120119001001")
    report(incomes, 2021, collective=Decimal("210000"))
    assert report(incomes, 2021, collective=Decimal("210000.00")) == []
    assert len(report(incomes, 2021, collective=Decimal("220000"))) == 1


def test_the_target_is_200000_yuan():
    assert reached_target(20_000_000) and not reached_target(19_999_999) and not reached_target(None)


def test_city_growth_is_computed_from_last_year_or_must_be_given():
    city = CityIncome()
    with pytest.raises(DomainError) as refused:
        city.report(ReportCityIncome(year=2021, per_capita_income=Decimal("27955")), date(2022, 1, 5))
    assert refused.value.field == "growth_pct"
    city.report(ReportCityIncome(year=2021, per_capita_income=Decimal("27955"), growth_pct=Decimal("10.5")),
                date(2022, 1, 5))
    event = city.report(ReportCityIncome(year=2022, per_capita_income=Decimal("29000")), date(2023, 1, 5))
    assert event.growth_pct == growth_pct(2_900_000, 2_795_500) == Decimal("3.74")


def test_a_year_not_yet_begun_cannot_be_reported():
    cmd = ReportVillageIncome(village_code="120119001001", year=2023, collective_income=Decimal("210000"))
    with pytest.raises(DomainError) as refused:
        VillageIncome("120119001001").report(cmd, "120119", FACTOR, BASELINE, date(2022, 12, 31))
    assert refused.value.field == "year"
    assert VillageIncome("120119001001").report(cmd, "120119", FACTOR, BASELINE, date(2023, 1, 1))


def flagged_2021(reporter: str = "first_secretary:li") -> VillageIncome:
    incomes = VillageIncome("120119001001")
    cmd = ReportVillageIncome(village_code=incomes.key, year=2021, collective_income=Decimal("400000"),
                              note="新建光伏电站并网发电")
    incomes.report(cmd, "120119", FACTOR, BASELINE, date(2022, 1, 10), reporter=reporter)
    return incomes


def test_a_flagged_report_is_reviewed_once_by_someone_other_than_its_reporter():
    from shared.contracts.assessment import IncomeReportReviewed
    from shared.eventstore.errors import Conflict, Forbidden, NotFound
    from services.assessment.domain.incomes import ReviewIncomeReport

    incomes = flagged_2021()
    assert incomes.pending[0].reported_by == "first_secretary:li"
    reject = ReviewIncomeReport(measure="collective", accepted=False, reason="无并网凭证")
    with pytest.raises(Forbidden):  # the same person under another role
        incomes.review_report(2021, reject, "assessor:li", date(2022, 2, 1))
    with pytest.raises(NotFound) as err:
        incomes.review_report(2020, reject, "assessor:wang", date(2022, 2, 1))
    assert (err.value.field, err.value.location) == ("year", "path")
    with pytest.raises(NotFound):  # no farmers' income reported for 2021
        incomes.review_report(2021, reject.model_copy(update={"measure": "farmer"}), "assessor:wang", date(2022, 2, 1))
    event = incomes.review_report(2021, reject, "assessor:wang", date(2022, 2, 1))
    assert isinstance(event, IncomeReportReviewed)
    assert (event.amount_fen, event.accepted, event.district, event.reviewed_by) == (40_000_000, False, "120119",
                                                                                    "assessor:wang")
    with pytest.raises(Conflict, match="already reviewed"):
        incomes.review_report(2021, reject, "assessor:zhao", date(2022, 2, 2))
    # Rejected: the same figure may be reported again (it is new), and is flagged again.
    again = report(incomes, 2021, collective=Decimal("400000"), note="补充并网凭证")
    assert len(again) == 1 and again[0].flagged


def test_an_unflagged_report_is_not_reviewed_and_a_rejected_one_is_no_baseline():
    from shared.eventstore.errors import Conflict
    from services.assessment.domain.incomes import ReviewIncomeReport

    incomes = VillageIncome("120119001001")
    report(incomes, 2021, collective=Decimal("150000"))
    with pytest.raises(Conflict, match="not flagged") as err:
        incomes.review_report(2021, ReviewIncomeReport(measure="collective", accepted=True, reason="核实无误"),
                              "assessor:wang", date(2022, 2, 1))
    assert err.value.field == "measure"
    flagged = flagged_2021()
    flagged.review_report(2021, ReviewIncomeReport(measure="collective", accepted=False, reason="不实"),
                          "assessor:wang", date(2022, 2, 1))
    # 2022 is compared with nothing rather than with the rejected 400,000 yuan: no note needed.
    assert not report(flagged, 2022, collective=Decimal("100000"))[0].flagged
