"""选派干部 / cadres: registration, training, insurance, leave. Personal data: never published."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from shared.http.deps import IdempotencyKey, Meta, Store

from services.registry import handlers
from services.registry.config import registry_settings
from services.registry.domain.cadres import (
    CancelLeave,
    DecideLeave,
    RecordInsurance,
    RecordTraining,
    RegisterCadre,
    RequestLeave,
)
from services.registry.entrypoints.access import (
    WRITE_RESPONSES,
    CadreKeepers,
    Officials,
    UnitsAndOfficials,
    access,
    execute,
    read,
)

router = APIRouter(prefix="/cadres", tags=["选派干部 cadres"])
CadreId = Annotated[str, Path(max_length=64, description="干部标识 / cadre id")]
LeaveId = Annotated[str, Path(max_length=64, description="请假单 / leave id")]


@router.post("", status_code=status.HTTP_201_CREATED, summary="登记选派干部 / register a cadre",
             responses=WRITE_RESPONSES)
async def register_cadre(
    cmd: RegisterCadre, store: Store, meta: Meta, principal: UnitsAndOfficials, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "RegisterCadre", cmd.model_dump(mode="json"), meta,
                         lambda uow: handlers.register_cadre(uow, cmd, access(principal)), idempotency_key, response)


@router.get("/{cadre_id}", summary="干部档案（内部，不公开）/ a cadre's record (internal, never published)")
async def get_cadre(cadre_id: CadreId, store: Store, principal: CadreKeepers) -> dict:
    return await read(store, lambda uow: handlers.cadre_record(uow, cadre_id, access(principal)))


@router.post("/{cadre_id}/trainings", status_code=status.HTTP_201_CREATED,
             summary="登记培训 / record a completed training", responses=WRITE_RESPONSES)
async def record_training(
    cadre_id: CadreId, cmd: RecordTraining, store: Store, meta: Meta, principal: Officials, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "RecordTraining", {"cadre_id": cadre_id, **cmd.model_dump(mode="json")}, meta,
                         lambda uow: handlers.record_training(uow, cadre_id, cmd, access(principal)),
                         idempotency_key, response)


@router.post("/{cadre_id}/insurance", status_code=status.HTTP_201_CREATED,
             summary="登记人身意外伤害保险 / record personal accident insurance", responses=WRITE_RESPONSES)
async def record_insurance(
    cadre_id: CadreId, cmd: RecordInsurance, store: Store, meta: Meta, principal: UnitsAndOfficials,
    response: Response, idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "RecordInsurance", {"cadre_id": cadre_id, **cmd.model_dump(mode="json")}, meta,
                         lambda uow: handlers.record_insurance(uow, cadre_id, cmd, access(principal)),
                         idempotency_key, response)


@router.post("/{cadre_id}/leaves", status_code=status.HTTP_201_CREATED,
             summary="请假申请 / request leave (checked against the annual quota)", responses=WRITE_RESPONSES)
async def request_leave(
    cadre_id: CadreId, cmd: RequestLeave, store: Store, meta: Meta, principal: CadreKeepers, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    quota = registry_settings().annual_leave_days
    return await execute(store, "RequestLeave", {"cadre_id": cadre_id, **cmd.model_dump(mode="json")}, meta,
                         lambda uow: handlers.request_leave(uow, cadre_id, cmd, access(principal), quota),
                         idempotency_key, response)


@router.post("/{cadre_id}/leaves/{leave_id}/decision",
             summary="审批请假 / approve or reject a leave request", responses=WRITE_RESPONSES)
async def decide_leave(
    cadre_id: CadreId, leave_id: LeaveId, cmd: DecideLeave, store: Store, meta: Meta, principal: Officials,
    response: Response, idempotency_key: IdempotencyKey = None,
) -> dict:
    quota = registry_settings().annual_leave_days
    return await execute(store, "DecideLeave", {"cadre_id": cadre_id, "leave_id": leave_id, **cmd.model_dump(mode="json")},
                         meta, lambda uow: handlers.decide_leave(uow, cadre_id, leave_id, cmd, access(principal), quota),
                         idempotency_key, response)


@router.post("/{cadre_id}/leaves/{leave_id}/cancellation",
             summary="撤销请假（开始之前）/ cancel a leave before it starts",
             description="已申请或已批准的请假可在开始日之前撤销，其天数不再计入额度与统计；已开始的请假返回 409。 / A "
                         "requested or approved leave may be cancelled before its first day; its days no longer count "
                         "against the quota or in the statistics. Once it started: 409.",
             responses=WRITE_RESPONSES)
async def cancel_leave(
    cadre_id: CadreId, leave_id: LeaveId, cmd: CancelLeave, store: Store, meta: Meta, principal: CadreKeepers,
    response: Response, idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "CancelLeave", {"cadre_id": cadre_id, "leave_id": leave_id, **cmd.model_dump(mode="json")},
                         meta, lambda uow: handlers.cancel_leave(uow, cadre_id, leave_id, cmd, access(principal)),
                         idempotency_key, response)
