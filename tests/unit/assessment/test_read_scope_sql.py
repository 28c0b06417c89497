"""The one SQL condition every scoped list uses: nothing for the city, a district, or the
villages (and, for findings, the teams) of a unit or a first secretary."""

from __future__ import annotations

from services.assessment.queries.scope import ReadScope


def test_the_city_reads_everything_with_no_parameter():
    assert ReadScope().where(4, district="c.district", village="c.village_code") == ("true", [])


def test_a_district_is_one_parameter_numbered_after_the_querys_own():
    assert ReadScope(district="120119").where(4, district="c.district", village="c.village_code") == (
        "c.district = $4", ["120119"])


def test_villages_are_an_array_and_findings_also_match_the_teams():
    scope = ReadScope(villages=("120119001001",), teams=("T-1",))
    assert scope.where(3, district="m.district", village="m.village_code") == (
        "m.village_code = any($3::text[])", [["120119001001"]])
    condition, params = scope.where(7, district="f.district", target=("f.target_kind", "f.target_id"))
    assert params == [["120119001001"], ["T-1"]]
    assert "f.target_kind = 'village' and f.target_id = any($7::text[])" in condition
    assert "f.target_kind = 'team' and f.target_id = any($8::text[])" in condition


def test_a_unit_serving_no_village_now_sees_none_rather_than_all():
    assert ReadScope(villages=(), teams=("T-1",)).where(1, district="d", village="v") == ("v = any($1::text[])", [[]])
