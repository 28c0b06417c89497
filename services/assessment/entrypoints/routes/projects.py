"""项目与节点 / projects under the 19 tasks and their milestones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile
from fastapi.responses import Response as RawResponse

from shared.eventstore import NotFound
from shared.eventstore.errors import DomainError
from shared.http.auth import Principal, Role, require
from shared.http.deps import IdempotencyKey, Meta, Store
from shared.http.limits import MIB, MULTIPART_OVERHEAD, read_upload

from services.assessment.adapters import evidence
from services.assessment.config import assessment_settings
from services.assessment.domain.projects import (
    CancelWithReason,
    PlanProject,
    Project,
    ReplanMilestone,
    ReplanProject,
    ReportMilestone,
    ReturnMilestone,
)
from services.assessment.entrypoints.routes.common import MAX_OFFSET, AsOfDay, Pool, run
from services.assessment.entrypoints.routes.readers import PersonalScoped, Scoped
from services.assessment.handlers import projects as handlers
from services.assessment.queries import milestones as queries

router = APIRouter(tags=["项目与节点 projects and milestones"])
ProjectId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$", description="项目编号 / project id")]
MilestoneId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$", description="节点编号 / milestone id")]
Planner = Annotated[Principal, Depends(require(Role.district_official, Role.first_secretary))]
Team = Annotated[Principal, Depends(require(Role.first_secretary))]
Official = Annotated[Principal, Depends(require(Role.district_official))]
Assessor = Annotated[Principal, Depends(require(Role.assessor))]
District = Annotated[str | None, Query(pattern=r"^\d{6}$", description="区代码 / district code")]
Village = Annotated[str | None, Query(pattern=r"^\d{12}$", description="村代码 / village code")]
MAX_FILES = 50  # as many hashes as a report carries


@router.post("/projects", status_code=201, summary="项目立项 / plan a project",
             responses={409: {"description": "项目编号已存在 / project id taken"}})
async def plan(cmd: PlanProject, store: Store, meta: Meta, response: Response, principal: Planner,
               idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "PlanProject", cmd, meta, lambda uow: handlers.plan_project(uow, cmd, principal),
                     idempotency_key, response)


@router.post("/projects/{project_id}/replan", summary="项目调整计划（名称、周期）/ re-plan a project (title, period)",
             responses={409: {"description": "项目已完成或已撤销 / completed or cancelled"},
                        422: {"description": "未验收节点将落在新周期外 / a milestone would fall outside the period"}})
async def replan(project_id: ProjectId, cmd: ReplanProject, store: Store, meta: Meta, response: Response,
                 principal: Planner, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReplanProject", {"project_id": project_id, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.replan_project(uow, project_id, cmd, principal), idempotency_key, response,
                     created=False)


@router.post("/projects/{project_id}/cancel",
             summary="撤销项目（区级官员、市办）：未验收节点一并撤销，资金服务收回未放款分期 / cancel a project "
                     "(officials): milestones not verified go with it; funding returns their unreleased tranches",
             responses={409: {"description": "项目已完成或已撤销 / completed or already cancelled"}})
async def cancel(project_id: ProjectId, cmd: CancelWithReason, store: Store, meta: Meta, response: Response,
                 principal: Official, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "CancelProject", {"project_id": project_id, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.cancel_project(uow, project_id, cmd, principal), idempotency_key, response,
                     created=False)


@router.post("/projects/{project_id}/milestones/{milestone_id}/replan",
             summary="节点调整计划（名称、日期）/ re-plan a milestone (title, due day)",
             responses={409: {"description": "节点已验收或已撤销 / verified or cancelled"}})
async def replan_milestone(project_id: ProjectId, milestone_id: MilestoneId, cmd: ReplanMilestone, store: Store,
                           meta: Meta, response: Response, principal: Planner,
                           idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReplanMilestone", {"project_id": project_id, "milestone_id": milestone_id,
                                                **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.replan_milestone(uow, project_id, milestone_id, cmd, principal),
                     idempotency_key, response, created=False)


@router.post("/projects/{project_id}/milestones/{milestone_id}/cancel",
             summary="撤销节点（区级官员、市办；已验收的不能撤销）/ cancel a milestone (officials; never a verified one)",
             responses={409: {"description": "节点已验收、已撤销，或是最后一个节点 / verified, cancelled, or the last one"}})
async def cancel_milestone(project_id: ProjectId, milestone_id: MilestoneId, cmd: CancelWithReason, store: Store,
                           meta: Meta, response: Response, principal: Official,
                           idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "CancelMilestone", {"project_id": project_id, "milestone_id": milestone_id,
                                                **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.cancel_milestone(uow, project_id, milestone_id, cmd, principal),
                     idempotency_key, response, created=False)


@router.get("/projects", summary="项目列表（截至某日）/ projects as of a day")
async def list_projects(pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None,
                        village_code: Village = None,
                        task_no: Annotated[int | None, Query(ge=1, le=19)] = None,
                        limit: Annotated[int, Query(ge=1, le=500)] = 100,
                        after: Annotated[str | None, Query(max_length=80)] = None) -> dict:
    async with pool.acquire() as conn:
        return await queries.projects(conn, as_of, district, village_code, task_no, limit, after, scope)


@router.get("/projects/summary", summary="按任务统计项目进度 / projects per task: planned, in progress, done, overdue")
async def summary(pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None) -> dict:
    async with pool.acquire() as conn:
        return await queries.summary(conn, as_of, district, scope)


@router.get("/projects/{project_id}", summary="项目当前状态 / a project as it stands")
async def project(project_id: ProjectId, store: Store, scope: Scoped, as_of: AsOfDay) -> dict:
    found = Project.rehydrate(project_id, (e.decode() for e in await store.read_stream(None, f"project-{project_id}")))
    found.require_exists()
    scope.require(scope.sees(found.village_code, found.district), field="project_id")
    return found.view(as_of)


@router.post("/projects/{project_id}/milestones/{milestone_id}/report", status_code=201,
             summary="填报节点完成（工作队，附佐证哈希）/ report a milestone done (the team; evidence hashes)")
async def report(project_id: ProjectId, milestone_id: MilestoneId, cmd: ReportMilestone, store: Store, meta: Meta,
                 response: Response, principal: Team, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReportMilestone", {"project_id": project_id, "milestone_id": milestone_id,
                                                **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.report_milestone(uow, project_id, milestone_id, cmd, principal),
                     idempotency_key, response)


@router.post("/projects/{project_id}/milestones/{milestone_id}/report-files", status_code=201,
             summary="填报节点完成并上传佐证文件（服务端计算 SHA-256）/ report a milestone with evidence files "
                     "(hashed and kept by the service)",
             description=f"每个文件至多 {assessment_settings().max_evidence_bytes // MIB} MiB，合计至多 "
                         f"{assessment_settings().max_report_upload_bytes // MIB} MiB（如扫描的 PDF 报告）/ each file at "
                         f"most {assessment_settings().max_evidence_bytes // MIB} MiB, together at most "
                         f"{assessment_settings().max_report_upload_bytes // MIB} MiB (e.g. a scanned PDF report)",
             responses={413: {"description": "文件过大 / a file, or all of them together, too large"}},
             max_body_size=assessment_settings().max_report_upload_bytes + MULTIPART_OVERHEAD)
async def report_with_files(project_id: ProjectId, milestone_id: MilestoneId, store: Store, meta: Meta,
                            response: Response, principal: Team,
                            evidence_text: Annotated[str, Form(min_length=2, max_length=5000)],
                            files: Annotated[list[UploadFile], File(description="佐证文件 / evidence files")],
                            idempotency_key: IdempotencyKey = None) -> dict:
    limit = assessment_settings().max_evidence_bytes
    if len(files) > MAX_FILES:
        raise DomainError(f"每次最多上传 {MAX_FILES} 个佐证文件（收到 {len(files)} 个）/ at most {MAX_FILES} evidence "
                          f"files per report ({len(files)} sent)", field="files")
    uploads = []
    for index, upload in enumerate(files):
        content = await read_upload(upload, limit, field="files", index=index, name=upload.filename)
        uploads.append(evidence.EvidenceFile(upload.filename or "evidence", upload.content_type or
                                             "application/octet-stream", content))
    cmd = ReportMilestone(evidence_text=evidence_text)
    body = {"project_id": project_id, "milestone_id": milestone_id, "evidence_text": evidence_text,
            "files": [f.sha256 for f in uploads]}
    return await run(store, "ReportMilestone", body, meta,
                     lambda uow: handlers.report_milestone(uow, project_id, milestone_id, cmd, principal, uploads),
                     idempotency_key, response)


@router.post("/projects/{project_id}/milestones/{milestone_id}/verify",
             summary="节点验收通过（考核人员，非填报人）/ verify a milestone (an assessor, not the reporter)")
async def verify(project_id: ProjectId, milestone_id: MilestoneId, store: Store, meta: Meta, response: Response,
                 principal: Assessor, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "VerifyMilestone", {"project_id": project_id, "milestone_id": milestone_id}, meta,
                     lambda uow: handlers.verify_milestone(uow, project_id, milestone_id, principal),
                     idempotency_key, response, created=False)


@router.post("/projects/{project_id}/milestones/{milestone_id}/return",
             summary="退回节点（考核人员，非填报人）/ send a milestone back (an assessor, not the reporter)")
async def send_back(project_id: ProjectId, milestone_id: MilestoneId, cmd: ReturnMilestone, store: Store, meta: Meta,
                    response: Response, principal: Assessor, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReturnMilestone", {"project_id": project_id, "milestone_id": milestone_id,
                                                **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.return_milestone(uow, project_id, milestone_id, cmd, principal),
                     idempotency_key, response, created=False)


@router.get("/milestones/overdue", summary="逾期未验收的节点（截至某日）/ milestones overdue as of a day")
async def overdue(pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None, village_code: Village = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                  offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> dict:
    async with pool.acquire() as conn:
        return await queries.overdue(conn, as_of, district, village_code, limit, offset, scope)


@router.get("/evidence/{sha256}", summary="下载佐证文件 / download an evidence file",
            response_class=RawResponse)
async def download(sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")], pool: Pool,
                   scope: PersonalScoped) -> RawResponse:
    async with pool.acquire() as conn:
        row = await evidence.fetch(conn, sha256)
        if row is None:
            raise NotFound(f"未找到文件 {sha256} / no such evidence file", field="sha256")
        uses = await evidence.uses(conn, sha256)
    scope.require(scope.city_wide or any(scope.sees(u["village_code"], u["district"]) for u in uses), field="sha256")
    return RawResponse(bytes(row["content"]), media_type=row["media_type"],
                       headers={"Content-Disposition": f"attachment; filename*=UTF-8''{row['sha256']}"})
