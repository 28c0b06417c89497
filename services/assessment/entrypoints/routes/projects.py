"""项目与节点 / projects under the 19 tasks and their milestones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import Response as RawResponse

from shared.eventstore.errors import DomainError
from shared.http.command_routes import CommandRoutes
from shared.http.deps import Store
from shared.http.limits import MIB, MULTIPART_OVERHEAD, read_upload

from services.assessment.adapters import evidence
from services.assessment.config import assessment_settings
from services.assessment.domain.commands import CancelMilestone, CancelProject, ReportMilestoneFiles, VerifyMilestone
from services.assessment.domain import projects
from services.assessment.entrypoints.deps import (
    AsOfDay,
    Assessor,
    District,
    Limit,
    MilestoneId,
    Offset,
    Official,
    PersonalScoped,
    Pool,
    ProjectId,
    Run,
    Scoped,
    Team,
    Village,
    VillageSide,
)
from services.assessment.entrypoints.schemas import (
    MilestoneReportedView,
    MilestoneReturnedView,
    MilestoneVerifiedView,
    OverdueList,
    ProjectList,
    ProjectPlannedView,
    ProjectSummary,
    ProjectView,
)
from services.assessment.queries import evidence as evidence_queries
from services.assessment.queries import milestones as queries
from services.assessment.queries.streams import visible

router = APIRouter(tags=["项目与节点 projects and milestones"])
writes = CommandRoutes(router.post, Run, VillageSide, project_id=ProjectId, milestone_id=MilestoneId)
MAX_FILES = 50  # as many hashes as a report carries


writes.add("/projects", projects.PlanProject, ProjectPlannedView, name="plan", status_code=201,
           summary="项目立项 / plan a project",
           responses={409: {"description": "项目编号已存在 / project id taken"}})


writes.add("/projects/{project_id}/replan", projects.ReplanProject, ProjectView, name="replan",
           summary="项目调整计划（名称、周期）/ re-plan a project (title, period)",
           responses={409: {"description": "项目已完成或已撤销 / completed or cancelled"},
                      422: {"description": "未验收节点将落在新周期外 / a milestone would fall outside the period"}})


writes.add("/projects/{project_id}/cancel", CancelProject, ProjectView, name="cancel", caller=Official,
           summary="撤销项目（区级官员、市办）：未验收节点一并撤销，资金服务收回未放款分期 / cancel a project "
                   "(officials): milestones not verified go with it; funding returns their unreleased tranches",
           responses={409: {"description": "项目已完成或已撤销 / completed or already cancelled"}})


writes.add("/projects/{project_id}/milestones/{milestone_id}/replan", projects.ReplanMilestone, ProjectView,
           summary="节点调整计划（名称、日期）/ re-plan a milestone (title, due day)",
           responses={409: {"description": "节点已验收或已撤销 / verified or cancelled"}})


writes.add("/projects/{project_id}/milestones/{milestone_id}/cancel", CancelMilestone, ProjectView, caller=Official,
           summary="撤销节点（区级官员、市办；已验收的不能撤销）/ cancel a milestone (officials; never a verified one)",
           responses={409: {"description": "节点已验收、已撤销，或是最后一个节点 / verified, cancelled, or the last one"}})


@router.get("/projects", summary="项目列表（截至某日）/ projects as of a day")
async def list_projects(pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None,
                        village_code: Village = None,
                        task_no: Annotated[int | None, Query(ge=1, le=19)] = None,
                        limit: Annotated[int, Query(ge=1, le=500)] = 100,
                        after: Annotated[str | None, Query(max_length=80)] = None) -> ProjectList:
    async with pool.acquire() as conn:
        return await queries.projects(conn, as_of, district, village_code, task_no, limit, after, scope)


@router.get("/projects/summary", summary="按任务统计项目进度 / projects per task: planned, in progress, done, overdue")
async def summary(pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None) -> ProjectSummary:
    async with pool.acquire() as conn:
        return await queries.summary(conn, as_of, district, scope)


@router.get("/projects/{project_id}", summary="项目当前状态 / a project as it stands")
async def project(project_id: ProjectId, store: Store, scope: Scoped, as_of: AsOfDay) -> ProjectView:
    found = await visible(store, projects.Project, project_id, scope, field="project_id",
                          sees=lambda p: scope.sees(p.village_code, p.district))
    return found.view(as_of)


writes.add("/projects/{project_id}/milestones/{milestone_id}/report",
           projects.ReportMilestone, MilestoneReportedView, name="report", caller=Team,
           status_code=201,
           summary="填报节点完成（工作队，附佐证哈希）/ report a milestone done (the team; evidence hashes)")


@router.post("/projects/{project_id}/milestones/{milestone_id}/report-files", status_code=201,
             summary="填报节点完成并上传佐证文件（服务端计算 SHA-256）/ report a milestone with evidence files "
                     "(hashed and kept by the service)",
             description=f"每个文件至多 {assessment_settings().max_evidence_bytes // MIB} MiB，合计至多 "
                         f"{assessment_settings().max_report_upload_bytes // MIB} MiB（如扫描的 PDF 报告）/ each file at "
                         f"most {assessment_settings().max_evidence_bytes // MIB} MiB, together at most "
                         f"{assessment_settings().max_report_upload_bytes // MIB} MiB (e.g. a scanned PDF report)",
             responses={413: {"description": "文件过大 / a file, or all of them together, too large"}},
             max_body_size=assessment_settings().max_report_upload_bytes + MULTIPART_OVERHEAD)
async def report_with_files(
    project_id: ProjectId, milestone_id: MilestoneId, principal: Team, run: Run,
    evidence_text: Annotated[str, Form(min_length=2, max_length=5000)],
    files: Annotated[list[UploadFile], File(description="佐证文件 / evidence files")],
) -> MilestoneReportedView:
    limit = assessment_settings().max_evidence_bytes
    if len(files) > MAX_FILES:
        raise DomainError(f"每次最多上传 {MAX_FILES} 个佐证文件（收到 {len(files)} 个）/ at most {MAX_FILES} evidence "
                          f"files per report ({len(files)} sent)", field="files")
    uploads = []
    for index, upload in enumerate(files):
        content = await read_upload(upload, limit, field="files", index=index, name=upload.filename)
        uploads.append(evidence.EvidenceFile(upload.filename or "evidence", upload.content_type or
                                             "application/octet-stream", content))
    cmd = ReportMilestoneFiles(evidence_text=evidence_text, files=[f.sha256 for f in uploads])
    return await run(cmd, principal, uploads, project_id=project_id, milestone_id=milestone_id)


writes.add("/projects/{project_id}/milestones/{milestone_id}/verify",
           VerifyMilestone, MilestoneVerifiedView, name="verify", caller=Assessor,
           optional=True,
           summary="节点验收通过（考核人员，非填报人）/ verify a milestone (an assessor, not the reporter)")


writes.add("/projects/{project_id}/milestones/{milestone_id}/return",
           projects.ReturnMilestone, MilestoneReturnedView, name="send_back", caller=Assessor,
           summary="退回节点（考核人员，非填报人）/ send a milestone back (an assessor, not the reporter)")


@router.get("/milestones/overdue", summary="逾期未验收的节点（截至某日）/ milestones overdue as of a day")
async def overdue(pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None, village_code: Village = None,
                  limit: Limit = 200, offset: Offset = 0) -> OverdueList:
    async with pool.acquire() as conn:
        return await queries.overdue(conn, as_of, district, village_code, limit, offset, scope)


@router.get("/evidence/{sha256}", summary="下载佐证文件 / download an evidence file", response_class=RawResponse,
            responses={200: {"description": "文件内容，媒体类型为上传时所报 / the file, in the media type it was "
                                            "uploaded with",
                             "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                 "format": "binary"}}}}})
async def download(sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")], pool: Pool,
                   scope: PersonalScoped) -> RawResponse:
    async with pool.acquire() as conn:
        row = await evidence_queries.evidence_file(conn, sha256, scope)
    return RawResponse(bytes(row["content"]), media_type=row["media_type"],
                       headers={"Content-Disposition": f"attachment; filename*=UTF-8''{row['sha256']}"})
