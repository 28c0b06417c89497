"""Disclosure control of public figures (pure): small counts of people withheld, the others
rounded so that no total less its other cells gives a withheld one back."""

from __future__ import annotations

from services.publicity.domain.disclosure import Disclosure

RULE = Disclosure(5)


def test_a_count_below_the_threshold_is_withheld_and_zero_stays():
    assert [RULE.cell(n) for n in (0, 1, 4, 5, 7, 8, 12, 13, 1234)] == [0, None, None, 5, 5, 10, 10, 15, 1235]
    assert Disclosure(1).cell(3) == 3  # 1 turns it off


def test_the_withheld_cell_cannot_be_derived_from_the_rounded_total_and_the_other_cell():
    # eligible 9 = covered 3 + gap 6: the public reads eligible 10, covered null, gap 5
    row = RULE.fields({"eligible": 9, "covered": 3, "gap": 6})
    assert row == {"eligible": 10, "covered": None, "gap": 5, "suppressed": ["covered"]}
    candidates = {e - g for e in range(1, 100) for g in range(5, 100)
                  if RULE.cell(e) == row["eligible"] and RULE.cell(g) == row["gap"]}
    assert set(range(1, 5)) <= candidates  # every withheld value is still possible


def test_fields_at_any_depth_and_only_counts_of_people():
    body = {"city": {"eligible": 2, "villages_designated": 3},
            "districts": [{"code": "120119", "cadres_stationed": 4, "teams_stationed": 2}],
            "villages": [{"village": "v", "gap": 2, "by_cover": {"medical_insurance": 2, "education_aid": 0}}],
            "headline": {"low_income_gap": 1, "allocated_yuan": "1.00"}}
    out = RULE.fields(body)
    assert out["city"] == {"eligible": None, "villages_designated": 3, "suppressed": ["eligible"]}
    assert out["districts"][0] == {"code": "120119", "cadres_stationed": None, "teams_stationed": 2,
                                   "suppressed": ["cadres_stationed"]}
    assert out["villages"][0]["by_cover"] == {"medical_insurance": None, "education_aid": 0}
    assert out["villages"][0]["suppressed"] == ["gap", "by_cover.medical_insurance"]
    assert out["headline"]["low_income_gap"] is None and out["headline"]["allocated_yuan"] == "1.00"


def test_metric_answers_by_unit():
    figure = {"value": 3, "rows": 3, "groups": [{"district": "x", "value": 7, "rows": 7}]}
    assert RULE.figure(figure, "villages") == figure
    people = RULE.figure(figure, "people")
    assert people["value"] is None and people["suppressed"] == ["value", "rows"]
    assert people["groups"] == [{"district": "x", "value": 5, "rows": 5}]
    explained = RULE.explain({"value": 3, "rows": 3, "events_total": 6, "events": [{"event_id": "e"}] * 6,
                              "sources": [{"source": "assessment", "type": "CoverageRecorded", "events": 3},
                                          {"source": "assessment", "type": "EligibilityRecorded", "events": 3}]},
                             "people")
    assert explained["events"] == [] and explained["events_total"] == 5
    assert [s["events"] for s in explained["sources"]] == [None, None]
    rows = RULE.open_data([{"unit": "people", "value": 2}, {"unit": "yuan", "value": "2.00"},
                           {"unit": "days", "value": 11}])
    assert rows == [{"unit": "people", "value": None, "suppressed": True}, {"unit": "yuan", "value": "2.00"},
                    {"unit": "days", "value": 10}]
    assert RULE.timeline({"points": [{"date": "d", "value": 2}]}, "people")["points"] == [
        {"date": "d", "value": None, "suppressed": ["value"]}]


def test_a_change_about_a_person_does_not_name_its_village():
    assert RULE.feed_change({"figures": ["coverage"], "village": "v", "district": "d"})["village"] is None
    assert RULE.feed_change({"figures": ["designation"], "village": "v"})["village"] == "v"
