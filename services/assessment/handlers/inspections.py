"""督导检查 / recording inspections, reporting and accepting rectifications."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Role, ensure_district

from services.assessment.adapters import directory
from services.assessment.domain.inspections import (
    Inspection,
    RecordInspection,
    ReportRectification,
    ReturnRectification,
)
from services.assessment.handlers.access import ensure_scope, ensure_village_team, today


async def record_inspection(uow: UnitOfWork, cmd: RecordInspection, principal: Principal) -> dict:
    if cmd.target_kind == "village":
        district = await directory.village_district(uow.conn, cmd.target_id, field="target_id")
    else:
        district = await directory.team_district(uow.conn, cmd.target_id)
    ensure_scope(principal, district)
    inspection = await uow.load(Inspection, cmd.inspection_id)
    inspection.record_inspection(cmd, district)
    await uow.save(inspection)
    return inspection.view(cmd.inspected_on)


async def report_rectification(uow: UnitOfWork, inspection_id: str, finding_id: str, cmd: ReportRectification,
                               principal: Principal) -> dict:
    inspection = await uow.load(Inspection, inspection_id)
    inspection.finding(finding_id)
    if inspection.target_kind == "village":
        await ensure_village_team(uow.conn, principal, inspection.target_id, inspection.district)
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


async def accept_rectification(uow: UnitOfWork, inspection_id: str, finding_id: str, principal: Principal) -> dict:
    inspection = await uow.load(Inspection, inspection_id)
    inspection.finding(finding_id)
    ensure_scope(principal, inspection.district)
    on = today(uow)
    inspection.accept(finding_id, principal.actor, on)
    await uow.save(inspection)
    return inspection.view(on)


async def return_rectification(uow: UnitOfWork, inspection_id: str, finding_id: str, cmd: ReturnRectification,
                               principal: Principal) -> dict:
    inspection = await uow.load(Inspection, inspection_id)
    inspection.finding(finding_id)
    ensure_scope(principal, inspection.district)
    on = today(uow)
    inspection.send_back(finding_id, cmd, principal.actor, on)
    await uow.save(inspection)
    return inspection.view(on)
