"""Rectification overdue, a person eligible but not covered, an income drop and a village
below the target in the final year: events in → alert → the undoing event → resolved."""

from __future__ import annotations

from datetime import date


async def test_a_finding_not_rectified_by_its_deadline_is_overdue_until_reported_and_again_when_returned(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    inspection = m.uid("i")
    await m.deliver("assessment", "InspectionRecorded", {
        "inspection_id": inspection, "target_kind": "village", "target_id": village, "district": village[:6],
        "inspected_on": "2022-03-01", "findings": [{"finding_id": "f1", "text": "台账不全", "deadline": "2022-03-31"},
                                                   {"finding_id": "f2", "text": "公示缺失", "deadline": "2022-04-30"}]},
        f"inspection-{inspection}", date(2022, 3, 1))
    await m.close_through(date(2022, 3, 30), date(2022, 4, 1))
    [alert] = await m.alerts("rectification.overdue")
    assert (alert["subject_id"], alert["raised_on"], alert["village_code"]) == (f"{inspection}:f1", date(2022, 4, 1),
                                                                                village)
    await m.deliver("assessment", "RectificationReported", {
        "inspection_id": inspection, "finding_id": "f1", "reported_on": "2022-04-03", "text": "已补齐"},
        f"inspection-{inspection}", date(2022, 4, 3))
    assert [a["state"] for a in await m.alerts("rectification.overdue")] == ["resolved"]
    await m.deliver("assessment", "RectificationReturned", {
        "inspection_id": inspection, "finding_id": "f1", "returned_on": "2022-04-05", "reason": "仍不全"},
        f"inspection-{inspection}", date(2022, 4, 5))
    await m.close_through(date(2022, 4, 2), date(2022, 4, 5))
    alerts = await m.alerts("rectification.overdue")
    assert [(a["subject_id"], a["state"], a["raised_on"]) for a in alerts] == [
        (f"{inspection}:f1", "resolved", date(2022, 4, 1)), (f"{inspection}:f1", "open", date(2022, 4, 5))]


async def test_an_eligible_person_not_covered_after_n_days_until_covered(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    person = m.uid("person")
    await m.deliver("assessment", "EligibilityRecorded", {
        "person_id": person, "village_code": village, "district": village[:6], "cover": "medical_insurance",
        "eligible": True, "recorded_on": "2022-02-01"}, f"person-{person}", date(2022, 2, 1))
    await m.deliver("assessment", "EligibilityRecorded", {
        "person_id": person, "village_code": village, "district": village[:6], "cover": "education_aid",
        "eligible": True, "recorded_on": "2022-02-01"}, f"person-{person}", date(2022, 2, 1))
    await m.deliver("assessment", "CoverageRecorded", {
        "person_id": person, "village_code": village, "district": village[:6], "cover": "education_aid",
        "covered_on": "2022-02-20"}, f"person-{person}", date(2022, 2, 20))
    await m.close_through(date(2022, 2, 1), date(2022, 3, 3))  # 3 March is the 30th day: not more
    assert await m.alerts("person.eligible_not_covered") == []
    await m.close(date(2022, 3, 4))
    [alert] = await m.alerts("person.eligible_not_covered")
    assert (alert["subject_id"], alert["raised_on"], alert["subject_kind"]) == (
        f"{person}:medical_insurance", date(2022, 3, 4), "person")
    await m.deliver("assessment", "CoverageRecorded", {
        "person_id": person, "village_code": village, "district": village[:6], "cover": "medical_insurance",
        "covered_on": "2022-03-05"}, f"person-{person}", date(2022, 3, 5))
    assert [a["state"] for a in await m.alerts("person.eligible_not_covered")] == ["resolved"]


def income(village: str, year: int, fen: int) -> tuple[str, dict, str]:
    return ("CollectiveIncomeReported", {"village_code": village, "district": village[:6], "year": year,
                                         "income_fen": fen}, f"income-{village}")


async def test_a_drop_of_more_than_x_percent_is_raised_at_once_and_a_correction_clears_it(monitoring):
    m = monitoring
    village = await m.village(date(2021, 1, 1))
    await m.deliver("assessment", *income(village, 2022, 10_000_000), on=date(2023, 1, 10))
    await m.deliver("assessment", *income(village, 2023, 8_000_000), on=date(2024, 1, 10))  # −20 %: not more
    assert await m.alerts("income.drop") == []
    await m.deliver("assessment", *income(village, 2023, 7_900_000), on=date(2024, 1, 11))  # −21 %
    [alert] = await m.alerts("income.drop")
    assert (alert["subject_id"], alert["raised_on"], alert["figures"]["drop_permille"]) == (
        f"{village}:2023", date(2024, 1, 11), 210)
    await m.deliver("assessment", *income(village, 2023, 9_000_000), on=date(2024, 1, 15))
    assert [a["state"] for a in await m.alerts("income.drop")] == ["resolved"]


async def test_a_village_below_200000_yuan_in_the_final_year(monitoring):
    m = monitoring
    village = await m.village(date(2021, 1, 1))
    await m.deliver("assessment", *income(village, 2023, 15_000_000), on=date(2024, 1, 10))  # not the final year
    assert await m.alerts("village.below_target_final_year") == []
    await m.deliver("assessment", *income(village, 2024, 19_999_999), on=date(2025, 1, 10))
    [alert] = await m.alerts("village.below_target_final_year")
    assert (alert["severity"], alert["figures"]["income_fen"]) == ("critical", 19_999_999)
    await m.deliver("assessment", *income(village, 2024, 20_000_000), on=date(2025, 1, 12))
    assert [a["state"] for a in await m.alerts("village.below_target_final_year")] == ["resolved"]


async def test_a_cover_that_ends_makes_an_eligible_person_a_gap_again_and_a_withdrawn_one_not(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    covered, withdrawn = m.uid("person"), m.uid("person")
    for person in (covered, withdrawn):
        base = {"person_id": person, "village_code": village, "district": village[:6], "cover": "medical_insurance"}
        await m.deliver("assessment", "EligibilityRecorded", base | {"eligible": True, "recorded_on": "2022-02-01"},
                        f"person-{person}", date(2022, 2, 1))
        await m.deliver("assessment", "CoverageRecorded", base | {"covered_on": "2022-02-10"},
                        f"person-{person}", date(2022, 2, 10))
    base = {"village_code": village, "district": village[:6], "cover": "medical_insurance"}
    await m.deliver("assessment", "EligibilityRecorded", base | {"person_id": withdrawn, "eligible": False,
                                                                 "recorded_on": "2022-03-01"},
                    f"person-{withdrawn}", date(2022, 3, 1))
    for person in (covered, withdrawn):  # the insurance lapses for both
        await m.deliver("assessment", "CoverageEnded", base | {"person_id": person, "ended_on": "2022-03-10",
                                                               "reason": "保险到期"}, f"person-{person}",
                        date(2022, 3, 10))
    await m.close_through(date(2022, 2, 1), date(2022, 4, 10))  # 10 April: the 31st day without cover
    [alert] = await m.alerts("person.eligible_not_covered")
    assert (alert["subject_id"], alert["raised_on"], alert["state"]) == (
        f"{covered}:medical_insurance", date(2022, 4, 10), "open")


async def test_a_drop_follows_last_years_figure_when_that_changes_or_is_rejected(monitoring):
    """The condition of year Y reads year Y − 1 too: re-reporting, rejecting or (for the
    2020 baseline) correcting last year's figure raises or clears this year's drop."""
    m = monitoring
    village = await m.village(date(2021, 1, 1))
    await m.deliver("assessment", *income(village, 2022, 10_000_000), on=date(2023, 1, 10))
    await m.deliver("assessment", *income(village, 2023, 8_500_000), on=date(2024, 1, 10))  # −15 %
    assert await m.alerts("income.drop") == []
    raised = await m.deliver("assessment", *income(village, 2022, 12_000_000), on=date(2024, 1, 11))  # now −29 %
    [alert] = await m.alerts("income.drop")
    assert (alert["subject_id"], alert["cause_event_id"]) == (f"{village}:2023", raised.event_id)
    review = {"village_code": village, "district": village[:6], "year": 2022, "measure": "collective",
              "amount_fen": 12_000_000, "accepted": False, "reason": "无凭证", "reviewed_on": "2024-01-12"}
    rejected = await m.deliver("assessment", "IncomeReportReviewed", review, f"income-{village}", date(2024, 1, 12))
    [alert] = await m.alerts("income.drop")  # 2022's figure no longer counts: nothing to drop from
    assert (alert["state"], alert["cleared_by_event"]) == ("resolved", rejected.event_id)


async def test_the_2020_baseline_and_its_correction_judge_2021s_drop(monitoring):
    m = monitoring
    village = await m.village(date(2021, 1, 1))  # baseline 1 fen a year: no drop possible
    await m.deliver("assessment", *income(village, 2021, 5_000_000), on=date(2022, 1, 10))
    assert await m.alerts("income.drop") == []
    correction = {"code": village, "district": village[:6], "year": "2020", "income_fen": 9_000_000,
                  "previous_fen": 1, "reason": "录入错误"}
    raised = await m.deliver("registry", "VillageIncomeCorrected", correction, f"village-{village}", date(2022, 1, 11))
    [alert] = await m.alerts("income.drop")
    assert (alert["subject_id"], alert["cause_event_id"], alert["figures"]["previous_fen"]) == (
        f"{village}:2021", raised.event_id, 9_000_000)
    back = await m.deliver("registry", "VillageIncomeCorrected", correction | {"income_fen": 5_500_000,
                                                                                "previous_fen": 9_000_000},
                           f"village-{village}", date(2022, 1, 12))
    [alert] = await m.alerts("income.drop")
    assert (alert["state"], alert["cleared_by_event"]) == ("resolved", back.event_id)
