"""督导检查 / inspections, findings and rectification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

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


@router.post("", status_code=201, summary="记录督导检查及问题 / record an inspection and its findings")
async def record(cmd: RecordInspection, principal: Inspector, run: Run) -> InspectionView:
    return await run(cmd, principal)


@router.get("/findings", summary="督导问题（截至某日；可仅列逾期）/ findings as of a day (optionally overdue only)")
async def findings(pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None,
                   target_id: Annotated[str | None, Query(max_length=80)] = None,
                   overdue: Annotated[bool, Query(description="仅逾期未整改 / overdue only")] = False,
                   limit: Limit = 200, offset: Offset = 0) -> FindingList:
    async with pool.acquire() as conn:
        return await queries.findings(conn, as_of, district, target_id, overdue, limit, offset, scope)


@router.post("/{inspection_id}/findings/{finding_id}/rectification", status_code=201,
             summary="报告整改情况（被检查方）/ report a rectification (the inspected side)")
async def rectify(inspection_id: Key, finding_id: Key, cmd: ReportRectification, principal: VillageSide,
                  run: Run) -> InspectionView:
    return await run(cmd, principal, inspection_id=inspection_id, finding_id=finding_id)


@router.post("/{inspection_id}/findings/{finding_id}/accept",
             summary="整改验收（督导人员，非报告人）/ accept a rectification (an inspector, not the reporter)")
async def accept(inspection_id: Key, finding_id: Key, principal: Inspector, run: Run,
                 cmd: AcceptRectification | None = None) -> InspectionView:
    return await run(cmd or AcceptRectification(), principal, inspection_id=inspection_id, finding_id=finding_id)


@router.post("/{inspection_id}/findings/{finding_id}/return", summary="整改退回 / send a rectification back")
async def send_back(inspection_id: Key, finding_id: Key, cmd: ReturnRectification, principal: Inspector,
                    run: Run) -> InspectionView:
    return await run(cmd, principal, inspection_id=inspection_id, finding_id=finding_id)


@router.get("/{inspection_id}", summary="督导检查详情 / one inspection")
async def inspection(inspection_id: Key, store: Store, scope: Scoped, as_of: AsOfDay) -> InspectionView:
    found = await visible(store, Inspection, inspection_id, scope, field="inspection_id",
                          sees=lambda i: scope.sees_target(i.target_kind, i.target_id, i.district))
    return found.view(as_of)
