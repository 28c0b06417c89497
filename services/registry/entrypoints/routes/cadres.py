"""选派干部 / cadres: registration, training, insurance, leave. Personal data: never published."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.http.deps import Store

from services.registry.config import registry_settings
from services.registry.domain import cadres as commands
from services.registry.entrypoints import schemas
from services.registry.entrypoints.deps import CadreKeepers, Officials, Run, UnitsAndOfficials, command_routes
from services.registry.queries import read
from services.registry.queries.cadres import cadre_record

router = APIRouter(prefix="/cadres", tags=["选派干部 cadres"])
CadreId = Annotated[str, Path(max_length=64, description="干部标识 / cadre id")]
LeaveId = Annotated[str, Path(max_length=64, description="请假单 / leave id")]
writes = command_routes(router, UnitsAndOfficials, cadre_id=CadreId, leave_id=LeaveId)


writes.add("", commands.RegisterCadre, schemas.CadreRegistered, created=True,
           summary="登记选派干部 / register a cadre")


@router.get("/{cadre_id}", summary="干部档案（内部，不公开）/ a cadre's record (internal, never published)")
async def get_cadre(cadre_id: CadreId, store: Store, who: CadreKeepers) -> schemas.CadreRecord:
    return await read(store, cadre_record, cadre_id, who)


writes.add("/{cadre_id}/trainings", commands.RecordTraining, schemas.CadreTrainedView, caller=Officials, created=True,
           summary="登记培训 / record a completed training")


writes.add("/{cadre_id}/insurance", commands.RecordInsurance, schemas.InsuranceRecorded, created=True,
           summary="登记人身意外伤害保险 / record personal accident insurance")


@writes.route("/{cadre_id}/leaves", created=True,
              summary="请假申请 / request leave (checked against the annual quota)")
async def request_leave(cadre_id: CadreId, cmd: commands.RequestLeave,
                        who: CadreKeepers, run: Run) -> schemas.LeaveRequested:
    return await run(cmd, who, registry_settings().annual_leave_days, cadre_id=cadre_id)


@writes.route("/{cadre_id}/leaves/{leave_id}/decision",
              summary="审批请假 / approve or reject a leave request")
async def decide_leave(cadre_id: CadreId, leave_id: LeaveId, cmd: commands.DecideLeave, who: Officials,
                       run: Run) -> schemas.LeaveDecided:
    return await run(cmd, who, registry_settings().annual_leave_days, cadre_id=cadre_id, leave_id=leave_id)


writes.add("/{cadre_id}/leaves/{leave_id}/cancellation",
           commands.CancelLeave, schemas.LeaveCancelled, caller=CadreKeepers,
           summary="撤销请假（开始之前）/ cancel a leave before it starts",
           description="已申请或已批准的请假可在开始日之前撤销，其天数不再计入额度与统计；已开始的请假返回 409。 / A "
                                "requested or approved leave may be cancelled before its first day; its days no longer count "
                                "against the quota or in the statistics. Once it started: 409.")
