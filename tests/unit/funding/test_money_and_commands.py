"""Money at the edges and the commands' own validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.funding.domain.commands import AllocateFunds, AppropriateBudget, ApplyPolicy, RegisterPolicy
from shared.money import to_fen, yuan


@pytest.mark.parametrize(("fen", "text"), [(0, "0.00"), (5, "0.05"), (123456, "1234.56"), (-5, "-0.05"),
                                           (100_000_000_00, "100000000.00")])
def test_fen_shown_as_yuan_with_two_decimals(fen, text):
    assert yuan(fen) == text


def test_yuan_to_fen_is_exact():
    assert to_fen(Decimal("0.1")) + to_fen(Decimal("0.2")) == to_fen(Decimal("0.3")) == 30
    with pytest.raises(ValueError):
        to_fen(Decimal("0.001"))


def line(**kw) -> dict:
    return {"line_id": "L-1", "source": "city_special", "fiscal_year": 2022, "scope": "city", "title": "产业扶持",
            "amount": "1000000.00"} | kw


def test_line_scope_accepts_city_or_a_district_by_name_or_code():
    assert AppropriateBudget(**line()).scope == "city"
    assert AppropriateBudget(**line(scope="蓟州区")).scope == "120119"
    assert AppropriateBudget(**line(scope="120114")).amount_fen == 100_000_000


@pytest.mark.parametrize(("change", "field"), [
    ({"amount": "0"}, "amount"), ({"amount": "-1"}, "amount"), ({"amount": "1.005"}, "amount"),
    ({"source": "lottery"}, "source"), ({"scope": "和平区"}, "scope"),
    ({"line_id": "has space"}, "line_id"), ({"fiscal_year": 1999}, "fiscal_year"),
])
def test_bad_line_input_names_the_field(change, field):
    with pytest.raises(ValidationError) as err:
        AppropriateBudget(**line(**change))
    assert field in {str(loc) for e in err.value.errors() for loc in e["loc"]}


def allocation(**kw) -> dict:
    return {"allocation_id": "A-1", "line_id": "L-1", "village_code": "120119000001", "amount": "300.00"} | kw


def test_tranches_must_add_up_to_the_amount():
    ok = AllocateFunds(**allocation(project_id="P-1", tranches=[
        {"tranche_no": 1, "amount": "100.00"}, {"tranche_no": 2, "amount": "200.00", "milestone_id": "M-1"}]))
    assert [t.amount_fen for t in ok.tranches] == [10000, 20000]
    with pytest.raises(ValidationError, match="300.00"):
        AllocateFunds(**allocation(tranches=[{"tranche_no": 1, "amount": "100.00"}]))
    with pytest.raises(ValidationError, match="distinct"):
        AllocateFunds(**allocation(tranches=[{"tranche_no": 1, "amount": "150"}, {"tranche_no": 1, "amount": "150"}]))


def test_milestone_tranches_need_a_project():
    with pytest.raises(ValidationError, match="project_id"):
        AllocateFunds(**allocation(tranches=[{"tranche_no": 1, "amount": "300", "milestone_id": "M-1"}]))


def test_policy_rules_are_normalised_and_listed_application_needs_villages():
    policy = RegisterPolicy(policy_id="P", name="贴息", village_types=["文旅型"], districts=["蓟州区", "120114"])
    assert policy.village_types == ["tourism"] and policy.districts == ["120114", "120119"]
    with pytest.raises(ValidationError):
        ApplyPolicy(mode="listed")
    assert ApplyPolicy(mode="all_eligible").village_codes == []
