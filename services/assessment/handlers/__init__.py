"""The assessment service layer: every command the service takes, and the handler that runs it.

A handler is ``async def verb(uow, cmd, *context, **ids) -> dict``: the unit of work, the
command, what the route adds (the caller, a setting, uploaded files) and the ids from the
path. ``shared.http.commands.Runner`` looks the handler up here by the command's type.
"""

from __future__ import annotations

from services.assessment.domain.assessment import ComputeAssessment, PublishAssessment, RecordMark, ReviewAssessment
from services.assessment.domain.catalogue import IssueCatalogue
from services.assessment.domain.commands import (
    AcceptRectification,
    CancelMilestone,
    CancelProject,
    ReportMilestoneFiles,
    VerifyMilestone,
)
from services.assessment.domain.coverage import EndCoverage, RecordCoverage, RecordEligibility, RegisterPerson
from services.assessment.domain.incomes import ReportCityIncome, ReportVillageIncome, ReviewIncomeReport
from services.assessment.domain.inspections import RecordInspection, ReportRectification, ReturnRectification
from services.assessment.domain.projects import (
    PlanProject,
    ReplanMilestone,
    ReplanProject,
    ReportMilestone,
    ReturnMilestone,
)
from services.assessment.domain.rubric import DefineRubric
from services.assessment.handlers import assessments, catalogue, coverage, incomes, inspections, projects

COMMANDS = {
    IssueCatalogue: catalogue.issue_catalogue,
    PlanProject: projects.plan_project,
    ReplanProject: projects.replan_project,
    CancelProject: projects.cancel_project,
    ReplanMilestone: projects.replan_milestone,
    CancelMilestone: projects.cancel_milestone,
    ReportMilestone: projects.report_milestone,
    ReportMilestoneFiles: projects.report_milestone_files,
    VerifyMilestone: projects.verify_milestone,
    ReturnMilestone: projects.return_milestone,
    ReportVillageIncome: incomes.report_village_income,
    ReviewIncomeReport: incomes.review_village_income,
    ReportCityIncome: incomes.report_city_income,
    RegisterPerson: coverage.register_person,
    RecordEligibility: coverage.record_eligibility,
    RecordCoverage: coverage.record_coverage,
    EndCoverage: coverage.end_coverage,
    RecordInspection: inspections.record_inspection,
    ReportRectification: inspections.report_rectification,
    AcceptRectification: inspections.accept_rectification,
    ReturnRectification: inspections.return_rectification,
    DefineRubric: assessments.define_rubric,
    RecordMark: assessments.record_mark,
    ComputeAssessment: assessments.compute,
    ReviewAssessment: assessments.review,
    PublishAssessment: assessments.publish,
}
