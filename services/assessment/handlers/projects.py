"""项目与节点 / planning projects, reporting and verifying milestones."""

from __future__ import annotations

from collections.abc import Sequence

from shared.eventstore import UnitOfWork
from shared.identity import Principal

from services.assessment.adapters.evidence import EvidenceFile
from services.assessment.domain.catalogue import TaskCatalogue
from services.assessment.domain.commands import CancelMilestone, CancelProject, ReportMilestoneFiles, VerifyMilestone
from services.assessment.domain.projects import (
    PlanProject,
    Project,
    ReplanMilestone,
    ReplanProject,
    ReportMilestone,
    ReturnMilestone,
)
from services.assessment.handlers.access import ensure_scope, ensure_village_team, today
from services.assessment.handlers.ports import directory, evidence


async def plan_project(uow: UnitOfWork, cmd: PlanProject, principal: Principal) -> dict:
    district = await directory(uow).village_district(cmd.village_code)
    await ensure_village_team(directory(uow), principal, cmd.village_code, district)
    catalogue = await uow.load(TaskCatalogue, TaskCatalogue.KEY)
    action, _ = catalogue.task(cmd.planned_start, cmd.task_no)
    project = await uow.load(Project, cmd.project_id)
    project.plan(cmd, district, action.code)
    await uow.save(project)
    return {"project_id": cmd.project_id, "district": district, "action_code": action.code,
            "stream_version": project.version}


async def report_milestone(uow: UnitOfWork, cmd: ReportMilestone, principal: Principal,
                           files: Sequence[EvidenceFile] = (), *, project_id: str, milestone_id: str) -> dict:
    project = await uow.load(Project, project_id)
    project.milestone(milestone_id)
    await ensure_village_team(directory(uow), principal, project.village_code, project.district, officials=False)
    if files:
        stored = await evidence(uow).store(list(files))
        cmd = cmd.model_copy(update={"evidence_sha256": [*cmd.evidence_sha256, *stored]})
    project.report(milestone_id, cmd, principal.actor, today(uow))
    await uow.save(project)
    m = project.milestones[milestone_id]
    return {"project_id": project_id, "milestone_id": milestone_id, "status": m.status,
            "reported_on": m.reported_on.isoformat(), "evidence_sha256": list(m.evidence_sha256),
            "stream_version": project.version}


async def report_milestone_files(uow: UnitOfWork, cmd: ReportMilestoneFiles, principal: Principal,
                                 files: Sequence[EvidenceFile], *, project_id: str, milestone_id: str) -> dict:
    """A report whose evidence came as uploaded files: stored with the report, in its transaction."""
    report = ReportMilestone(evidence_text=cmd.evidence_text)
    return await report_milestone(uow, report, principal, files, project_id=project_id, milestone_id=milestone_id)


async def verify_milestone(uow: UnitOfWork, cmd: VerifyMilestone, principal: Principal, *, project_id: str,
                           milestone_id: str) -> dict:
    project = await uow.load(Project, project_id)
    project.require_exists()
    ensure_scope(principal, project.district)
    project.verify(milestone_id, principal.actor, today(uow))
    await uow.save(project)
    m = project.milestones[milestone_id]
    return {"project_id": project_id, "milestone_id": milestone_id, "status": m.status,
            "verified_on": m.verified_on.isoformat(),
            "project_completed_on": project.completed_on.isoformat() if project.completed_on else None,
            "stream_version": project.version}


async def return_milestone(uow: UnitOfWork, cmd: ReturnMilestone, principal: Principal, *, project_id: str,
                           milestone_id: str) -> dict:
    project = await uow.load(Project, project_id)
    project.require_exists()
    ensure_scope(principal, project.district)
    project.send_back(milestone_id, cmd, principal.actor, today(uow))
    await uow.save(project)
    return {"project_id": project_id, "milestone_id": milestone_id, "status": "returned",
            "stream_version": project.version}


async def _loaded(uow: UnitOfWork, project_id: str, principal: Principal) -> Project:
    project = await uow.load(Project, project_id)
    project.require_exists()
    await ensure_village_team(directory(uow), principal, project.village_code, project.district)
    return project


def _answer(project: Project, uow: UnitOfWork) -> dict:
    return project.view(today(uow))


async def replan_project(uow: UnitOfWork, cmd: ReplanProject, principal: Principal, *, project_id: str) -> dict:
    project = await _loaded(uow, project_id, principal)
    project.replan(cmd, principal.actor)
    await uow.save(project)
    return _answer(project, uow)


async def replan_milestone(uow: UnitOfWork, cmd: ReplanMilestone, principal: Principal, *, project_id: str,
                           milestone_id: str) -> dict:
    project = await _loaded(uow, project_id, principal)
    project.replan_milestone(milestone_id, cmd, principal.actor)
    await uow.save(project)
    return _answer(project, uow)


async def cancel_project(uow: UnitOfWork, cmd: CancelProject, principal: Principal, *, project_id: str) -> dict:
    project = await _loaded(uow, project_id, principal)
    project.cancel(cmd.reason, principal.actor, today(uow))
    await uow.save(project)
    return _answer(project, uow)


async def cancel_milestone(uow: UnitOfWork, cmd: CancelMilestone, principal: Principal, *, project_id: str,
                           milestone_id: str) -> dict:
    project = await _loaded(uow, project_id, principal)
    project.cancel_milestone(milestone_id, cmd.reason, principal.actor, today(uow))
    await uow.save(project)
    return _answer(project, uow)
