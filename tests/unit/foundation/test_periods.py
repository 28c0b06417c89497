"""A period's ends in order, said once (``shared.dates.in_order``) for every command with one."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from services.assessment.domain.projects import PlanProject
from services.publicity.domain.commands import PublishNotice
from services.registry.domain.cadres import RecordInsurance, RequestLeave
from shared.dates import IsoDate, in_order


class Stay(BaseModel):
    arrive: IsoDate
    leave: IsoDate
    ordered = in_order("arrive", "leave", "离开早于到达 / leave is before arrive")


def test_a_reversed_period_is_refused_and_the_same_day_taken():
    assert Stay(arrive="2024-05-01", leave="2024-05-01").leave.day == 1
    with pytest.raises(ValidationError, match="leave is before arrive"):
        Stay(arrive="2024-05-02", leave="2024-05-01")
    assert set(Stay.model_json_schema()["properties"]) == {"arrive", "leave"}  # no field of its own


@pytest.mark.parametrize("model", [PlanProject, RecordInsurance, RequestLeave, PublishNotice])
def test_every_command_with_a_period_checks_its_order_before_anything_else(model):
    first = next(iter(model.__pydantic_decorators__.model_validators.values()))
    assert first.func.__qualname__.startswith("in_order.") and first.info.mode == "after"
