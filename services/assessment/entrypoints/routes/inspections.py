"""督导检查 / inspections, findings and rectification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.http.command_routes import CommandRoutes
from shared.http.deps import Store

from services.assessment.domain.commands import AcceptRectification
from services.assessment.domain.inspections import (
    Inspection,
    RecordInspection,
    ReportRectification,
    ReturnRectification,
)
from services.assessment.entrypoints.deps import (
    AsOfDay,
    District,
    Inspector,
    Key,
    Limit,
    Offset,
    Pool,
    Run,
    Scoped,
    VillageSide,
)
from services.assessment.entrypoints.schemas import FindingList, InspectionView
from services.assessment.queries import inspections as queries
from services.assessment.queries.streams import visible

router = APIRouter(prefix="/inspections", tags=["督导 inspections"])
writes = CommandRoutes(router.post, Run, Inspector, inspection_id=Key, finding_id=Key)


writes.add("", RecordInspection, InspectionView, name="record", status_code=201,
           summary="记录督导检查及问题 / record an inspection and its findings")


@router.get("/findings", summary="督导问题（截至某日；可仅列逾期）/ findings as of a day (optionally overdue only)")
async def findings(pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None,
                   target_id: Annotated[str | None, Query(max_length=80)] = None,
                   overdue: Annotated[bool, Query(description="仅逾期未整改 / overdue only")] = False,
                   limit: Limit = 200, offset: Offset = 0) -> FindingList:
    async with pool.acquire() as conn:
        return await queries.findings(conn, as_of, district, target_id, overdue, limit, offset, scope)


writes.add("/{inspection_id}/findings/{finding_id}/rectification",
           ReportRectification, InspectionView, name="rectify", caller=VillageSide,
           status_code=201,
           summary="报告整改情况（被检查方）/ report a rectification (the inspected side)")


writes.add("/{inspection_id}/findings/{finding_id}/accept", AcceptRectification, InspectionView, name="accept",
           optional=True,
           summary="整改验收（督导人员，非报告人）/ accept a rectification (an inspector, not the reporter)")


writes.add("/{inspection_id}/findings/{finding_id}/return", ReturnRectification, InspectionView, name="send_back",
           summary="整改退回 / send a rectification back")


@router.get("/{inspection_id}", summary="督导检查详情 / one inspection")
async def inspection(inspection_id: Key, store: Store, scope: Scoped, as_of: AsOfDay) -> InspectionView:
    found = await visible(store, Inspection, inspection_id, scope, field="inspection_id",
                          sees=lambda i: scope.sees_target(i.target_kind, i.target_id, i.district))
    return found.view(as_of)
