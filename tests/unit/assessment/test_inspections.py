"""Inspections: deadlines after the inspection, rectification reported then accepted by
someone else, overdue from the day after the deadline until accepted."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from shared.eventstore.errors import Conflict, Forbidden
from services.assessment.domain.inspections import Inspection, RecordInspection, ReportRectification, ReturnRectification

TEAM, INSPECTOR = "first_secretary:li", "inspector:zhao"


def inspected() -> Inspection:
    inspection = Inspection("i-1")
    inspection.record_inspection(RecordInspection(
        inspection_id="i-1", target_kind="team", target_id="T-1", inspected_on=date(2022, 6, 1),
        findings=[{"finding_id": "f1", "text": "驻村天数不足", "deadline": "2022-06-30"}]), "120119")
    return inspection


def test_a_deadline_before_the_inspection_is_refused():
    with pytest.raises(ValidationError, match="before the inspection"):
        RecordInspection(inspection_id="i-2", target_kind="village", target_id="120119001001",
                         inspected_on=date(2022, 6, 1),
                         findings=[{"finding_id": "f1", "text": "台账缺失", "deadline": "2022-05-31"}])


def test_rectification_is_reported_then_accepted_by_someone_else():
    inspection = inspected()
    with pytest.raises(Conflict):
        inspection.accept("f1", INSPECTOR, date(2022, 6, 10))  # nothing reported yet
    inspection.report("f1", ReportRectification(text="已补足"), TEAM, date(2022, 6, 20))
    with pytest.raises(Forbidden):
        inspection.accept("f1", "inspector:li", date(2022, 6, 21))
    inspection.send_back("f1", ReturnRectification(reason="证明材料不全"), INSPECTOR, date(2022, 6, 22))
    assert inspection.findings["f1"].status == "returned"
    inspection.report("f1", ReportRectification(text="补充材料"), TEAM, date(2022, 7, 2))
    inspection.accept("f1", INSPECTOR, date(2022, 7, 3))
    assert inspection.findings["f1"].status == "accepted"


def test_overdue_from_the_day_after_the_deadline_until_accepted():
    inspection = inspected()
    finding = inspection.findings["f1"]
    assert not finding.is_overdue(date(2022, 6, 30))
    assert finding.is_overdue(date(2022, 7, 1))
    inspection.report("f1", ReportRectification(text="已整改"), TEAM, date(2022, 7, 2))
    inspection.accept("f1", INSPECTOR, date(2022, 7, 3))
    assert finding.is_overdue(date(2022, 7, 2)) and not finding.is_overdue(date(2022, 7, 3))
