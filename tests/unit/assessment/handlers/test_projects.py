"""Verifying and sending back milestones through the handlers, without PostgreSQL; what
still reads the service's tables says so."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.assessment import MilestoneReturned, MilestoneVerified
from shared.eventstore.errors import Forbidden
from shared.eventstore.memory import NeedsDatabase

from services.assessment.domain.commands import VerifyMilestone
from services.assessment.domain.projects import ReturnMilestone
from services.assessment.handlers import projects
from tests.unit.assessment.handlers.support import CITY_ASSESSOR, OTHER_DISTRICT_ASSESSOR, unit_on
from tests.unit.assessment.test_projects import EVIDENCE, TEAM, planned

IDS = {"project_id": "p-1", "milestone_id": "m1"}


def reported():
    project = planned()
    project.report("m1", EVIDENCE, TEAM, date(2022, 3, 20))
    return project


async def test_an_assessor_verifies_a_reported_milestone():
    uow = unit_on(date(2022, 3, 25), reported())
    done = await projects.verify_milestone(uow, VerifyMilestone(), CITY_ASSESSOR, **IDS)
    assert done == {"project_id": "p-1", "milestone_id": "m1", "status": "verified", "verified_on": "2022-03-25",
                    "project_completed_on": None, "stream_version": 3}
    assert [type(e) for e in uow.events] == [MilestoneVerified]
    assert uow.events[0].verified_by == "assessor:zhao"


async def test_an_assessor_of_another_district_is_refused_and_nothing_is_recorded():
    uow = unit_on(date(2022, 3, 25), reported())
    with pytest.raises(Forbidden):
        await projects.verify_milestone(uow, VerifyMilestone(), OTHER_DISTRICT_ASSESSOR, **IDS)
    with pytest.raises(Forbidden):
        await projects.return_milestone(uow, ReturnMilestone(reason="照片不清晰"), OTHER_DISTRICT_ASSESSOR, **IDS)
    assert uow.events == []


async def test_a_milestone_sent_back_is_returned():
    uow = unit_on(date(2022, 3, 26), reported())
    done = await projects.return_milestone(uow, ReturnMilestone(reason="照片不清晰"), CITY_ASSESSOR, **IDS)
    assert done["status"] == "returned" and [type(e) for e in uow.events] == [MilestoneReturned]


async def test_reporting_asks_the_village_directory_which_is_the_databases():
    uow = unit_on(date(2022, 3, 20), planned())
    with pytest.raises(NeedsDatabase):
        await projects.report_milestone(uow, EVIDENCE, CITY_ASSESSOR, **IDS)
