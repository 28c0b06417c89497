"""Accepting and sending back rectifications through the handlers, without PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.assessment import RectificationAccepted, RectificationReturned
from shared.eventstore.errors import Conflict, Forbidden
from shared.identity import Principal, Role

from services.assessment.domain.commands import AcceptRectification
from services.assessment.domain.inspections import ReportRectification, ReturnRectification
from services.assessment.handlers import inspections
from tests.unit.assessment.handlers.support import CITY_INSPECTOR, unit_on
from tests.unit.assessment.test_inspections import TEAM, inspected

IDS = {"inspection_id": "i-1", "finding_id": "f1"}


def rectified():
    inspection = inspected()
    inspection.report("f1", ReportRectification(text="已补足"), TEAM, date(2022, 6, 20))
    return inspection


async def test_an_inspector_accepts_a_reported_rectification():
    uow = unit_on(date(2022, 6, 25), rectified())
    view = await inspections.accept_rectification(uow, AcceptRectification(), CITY_INSPECTOR, **IDS)
    assert view["findings"][0]["status"] == "accepted" and view["findings"][0]["accepted_on"] == "2022-06-25"
    assert [type(e) for e in uow.events] == [RectificationAccepted]


async def test_nothing_reported_cannot_be_accepted_nor_by_another_districts_inspector():
    uow = unit_on(date(2022, 6, 25), inspected())
    with pytest.raises(Conflict):
        await inspections.accept_rectification(uow, AcceptRectification(), CITY_INSPECTOR, **IDS)
    uow = unit_on(date(2022, 6, 25), rectified())
    with pytest.raises(Forbidden):
        await inspections.accept_rectification(uow, AcceptRectification(),
                                               Principal(subject="sun", role=Role.inspector, district="120110"), **IDS)
    assert uow.events == []


async def test_a_rectification_is_sent_back():
    uow = unit_on(date(2022, 6, 22), rectified())
    view = await inspections.return_rectification(uow, ReturnRectification(reason="证明材料不全"), CITY_INSPECTOR,
                                                  **IDS)
    assert view["findings"][0]["status"] == "returned" and [type(e) for e in uow.events] == [RectificationReturned]
