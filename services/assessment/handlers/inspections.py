"""督导检查 / recording inspections, reporting and accepting rectifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Role, ensure_district

from services.assessment.domain.commands import AcceptRectification
from services.assessment.domain.inspections import (
    Inspection,
    RecordInspection,
    ReportRectification,
    ReturnRectification,
)
from services.assessment.handlers.access import ensure_scope, ensure_village_team, today
from services.assessment.handlers.ports import directory


async def record_inspection(uow: UnitOfWork, cmd: RecordInspection, principal: Principal) -> dict:
    if cmd.target_kind == "village":
        district = await directory(uow).village_district(cmd.target_id, field="target_id")
    else:
        district = await directory(uow).team_district(cmd.target_id)
    ensure_scope(principal, district)
    inspection = await uow.load(Inspection, cmd.inspection_id)
    inspection.record_inspection(cmd, district)
    await uow.save(inspection)
    return inspection.view(cmd.inspected_on)


async def report_rectification(uow: UnitOfWork, cmd: ReportRectification, principal: Principal, *,
                               inspection_id: str, finding_id: str) -> dict:
    inspection = await uow.load(Inspection, inspection_id)
    inspection.finding(finding_id)
    if inspection.target_kind == "village":
        await ensure_village_team(directory(uow), principal, inspection.target_id, inspection.district)
    elif principal.role is Role.district_official:
        ensure_district(principal, inspection.district)
    elif principal.role is not Role.city_office and not (
            principal.role is Role.first_secretary and principal.team == inspection.target_id):
        raise Forbidden(f"只有工作队 {inspection.target_id} 可以报告整改 / only team {inspection.target_id} may report",
                        field="finding_id")
    on = today(uow)
    inspection.report(finding_id, cmd, principal.actor, on)
    await uow.save(inspection)
    return inspection.view(on)


async def _inspectors_step(uow: UnitOfWork, principal: Principal, inspection_id: str, finding_id: str,
                           step: Callable[[Inspection, date], object]) -> dict:
    """An inspector's decision on a reported rectification, within the inspector's district."""
    inspection = await uow.load(Inspection, inspection_id)
    inspection.finding(finding_id)
    ensure_scope(principal, inspection.district)
    on = today(uow)
    step(inspection, on)
    await uow.save(inspection)
    return inspection.view(on)


async def accept_rectification(uow: UnitOfWork, cmd: AcceptRectification, principal: Principal, *,
                               inspection_id: str, finding_id: str) -> dict:
    return await _inspectors_step(uow, principal, inspection_id, finding_id,
                                  lambda inspection, on: inspection.accept(finding_id, principal.actor, on))


async def return_rectification(uow: UnitOfWork, cmd: ReturnRectification, principal: Principal, *,
                               inspection_id: str, finding_id: str) -> dict:
    return await _inspectors_step(uow, principal, inspection_id, finding_id,
                                  lambda inspection, on: inspection.send_back(finding_id, cmd, principal.actor, on))
