"""Planning, reporting, verifying and sending back milestones through the handlers, without
PostgreSQL: the village directory is given as its in-memory twin."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.assessment import MilestoneReported, MilestoneReturned, MilestoneVerified, ProjectPlanned
from shared.eventstore.errors import DomainError, Forbidden
from shared.eventstore.memory import NeedsDatabase
from shared.identity import Principal, Role

from services.assessment.adapters.directory import PgDirectory
from services.assessment.adapters.memory import InMemoryDirectory
from services.assessment.domain.commands import VerifyMilestone
from services.assessment.domain.projects import PlanProject, ReturnMilestone
from services.assessment.handlers import projects
from tests.unit.assessment.handlers.support import CITY_ASSESSOR, OTHER_DISTRICT_ASSESSOR, unit_on
from tests.unit.assessment.test_catalogue import seeded
from tests.unit.assessment.test_projects import EVIDENCE, TEAM, plan_body, planned

IDS = {"project_id": "p-1", "milestone_id": "m1"}
VILLAGE = "120119001001"  # planned()'s


def first_secretary(team: str) -> Principal:
    return Principal(subject=f"fs-{team}", role=Role.first_secretary, district="120119", team=team)


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


async def test_reporting_asks_the_village_directory_through_the_unit_of_work():
    uow = unit_on(date(2022, 3, 20), planned())
    with pytest.raises(NeedsDatabase):  # no twin given
        await projects.report_milestone(uow, EVIDENCE, CITY_ASSESSOR, **IDS)
    heard = uow.provide(PgDirectory, InMemoryDirectory({VILLAGE: "120119"}))
    heard.assign("t-1", VILLAGE)
    with pytest.raises(Forbidden):  # an assessor is not the village's team
        await projects.report_milestone(uow, EVIDENCE, CITY_ASSESSOR, **IDS)
    with pytest.raises(Forbidden):  # nor is another team
        await projects.report_milestone(uow, EVIDENCE, first_secretary("t-2"), **IDS)
    assert uow.events == []
    done = await projects.report_milestone(uow, EVIDENCE, first_secretary("t-1"), **IDS)
    assert done["status"] == "reported" and [type(e) for e in uow.events] == [MilestoneReported]


async def test_a_project_is_planned_only_in_a_registered_village_by_its_team():
    uow = unit_on(date(2022, 1, 5), seeded())
    uow.provide(PgDirectory, InMemoryDirectory({VILLAGE: "120119"})).assign("t-1", VILLAGE)
    with pytest.raises(DomainError) as unknown:
        await projects.plan_project(uow, PlanProject.model_validate(plan_body(village_code="120119009999")),
                                    first_secretary("t-1"))
    assert unknown.value.field == "village_code"
    done = await projects.plan_project(uow, PlanProject.model_validate(plan_body()), first_secretary("t-1"))
    assert (done["district"], done["action_code"]) == ("120119", "industry")
    assert [type(e) for e in uow.events] == [ProjectPlanned]
