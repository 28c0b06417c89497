"""督导检查 / inspections, findings and rectification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from shared.http.auth import Principal, Role, require
from shared.http.deps import IdempotencyKey, Meta, Store

from services.assessment.domain.inspections import (
    Inspection,
    RecordInspection,
    ReportRectification,
    ReturnRectification,
)
from services.assessment.entrypoints.routes.common import MAX_OFFSET, AsOfDay, Pool, run
from services.assessment.entrypoints.routes.readers import Scoped
from services.assessment.handlers import inspections as handlers
from services.assessment.queries import inspections as queries

router = APIRouter(prefix="/inspections", tags=["督导 inspections"])
Inspector = Annotated[Principal, Depends(require(Role.inspector))]
Inspected = Annotated[Principal, Depends(require(Role.first_secretary, Role.district_official))]
Key = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")]


@router.post("", status_code=201, summary="记录督导检查及问题 / record an inspection and its findings")
async def record(cmd: RecordInspection, store: Store, meta: Meta, response: Response, principal: Inspector,
                 idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RecordInspection", cmd, meta, lambda uow: handlers.record_inspection(uow, cmd, principal),
                     idempotency_key, response)


@router.get("/findings", summary="督导问题（截至某日；可仅列逾期）/ findings as of a day (optionally overdue only)")
async def findings(pool: Pool, scope: Scoped, as_of: AsOfDay,
                   district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
                   target_id: Annotated[str | None, Query(max_length=80)] = None,
                   overdue: Annotated[bool, Query(description="仅逾期未整改 / overdue only")] = False,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                   offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> dict:
    async with pool.acquire() as conn:
        return await queries.findings(conn, as_of, district, target_id, overdue, limit, offset, scope)


@router.get("/{inspection_id}", summary="督导检查详情 / one inspection")
async def inspection(inspection_id: Key, store: Store, scope: Scoped, as_of: AsOfDay) -> dict:
    found = Inspection.rehydrate(inspection_id, (e.decode() for e in
                                                 await store.read_stream(None, f"inspection-{inspection_id}")))
    found.require_exists()
    scope.require(scope.sees_target(found.target_kind, found.target_id, found.district), field="inspection_id")
    return found.view(as_of)


@router.post("/{inspection_id}/findings/{finding_id}/rectification", status_code=201,
             summary="报告整改情况（被检查方）/ report a rectification (the inspected side)")
async def rectify(inspection_id: Key, finding_id: Key, cmd: ReportRectification, store: Store, meta: Meta,
                  response: Response, principal: Inspected, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReportRectification", {"inspection_id": inspection_id, "finding_id": finding_id,
                                                    **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.report_rectification(uow, inspection_id, finding_id, cmd, principal),
                     idempotency_key, response)


@router.post("/{inspection_id}/findings/{finding_id}/accept",
             summary="整改验收（督导人员，非报告人）/ accept a rectification (an inspector, not the reporter)")
async def accept(inspection_id: Key, finding_id: Key, store: Store, meta: Meta, response: Response,
                 principal: Inspector, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "AcceptRectification", {"inspection_id": inspection_id, "finding_id": finding_id}, meta,
                     lambda uow: handlers.accept_rectification(uow, inspection_id, finding_id, principal),
                     idempotency_key, response, created=False)


@router.post("/{inspection_id}/findings/{finding_id}/return", summary="整改退回 / send a rectification back")
async def send_back(inspection_id: Key, finding_id: Key, cmd: ReturnRectification, store: Store, meta: Meta,
                    response: Response, principal: Inspector, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReturnRectification", {"inspection_id": inspection_id, "finding_id": finding_id,
                                                    **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.return_rectification(uow, inspection_id, finding_id, cmd, principal),
                     idempotency_key, response, created=False)
