"""公示期异议 / the designated list's objection window: open it, lodge and answer objections,
confirm the list. Each checks the aggregate's rules before it touches the database (the run in
force, the data keys), so every refusal is decided, and tested, without it."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import Conflict, NotFound

from services.registry.domain.objections import (
    AnswerObjection,
    ConfirmDesignation,
    DesignationObjections,
    LodgeObjection,
    OpenObjectionWindow,
)
from services.registry.domain.screening import ScreeningRun
from services.registry.domain.village import Village
from services.registry.handlers.access import Access
from services.registry.handlers.network import business_day
from services.registry.handlers.ports import data_keys, event_log, register_lock


def objector_subject(run_id: str, objection_id: str) -> str:
    """Whose data key seals an objection's personal data: the objection's own (pseudonymous)."""
    return f"objection-{run_id}-{objection_id}"


async def _require_in_force(uow: UnitOfWork, run_id: str) -> None:
    """Only the run in force has a 公示 that matters: a superseded list is changed, not confirmed."""
    await register_lock(uow).shared()  # lands wholly before or after a screening run
    head = await event_log(uow).run_in_force()
    if head != run_id:
        raise Conflict(f"批次 {run_id} 已被 {head} 取代 / run {run_id} is superseded by {head}", field="run_id")


async def open_objection_window(uow: UnitOfWork, cmd: OpenObjectionWindow, days: int, *, run_id: str) -> dict:
    run = await uow.load(ScreeningRun, run_id)
    if run.completed is None:
        raise NotFound(f"未找到筛选批次 {run_id} / screening run {run_id} not found", field="run_id")
    objections = await uow.load(DesignationObjections, run_id)
    objections.open(cmd.opens_on or business_day(uow), days, run.completed.designated_count)
    await _require_in_force(uow, run_id)
    await uow.save(objections)
    window = objections.window
    return {"run_id": run_id, "opens_on": window.opens_on, "closes_on": window.closes_on, "days": window.days}


async def lodge_objection(uow: UnitOfWork, cmd: LodgeObjection, access: Access, *, run_id: str) -> dict:
    objections = await uow.load(DesignationObjections, run_id)
    village = await uow.load(Village, cmd.village_code)
    village.require_exists()
    today = business_day(uow)
    objections.check_lodge(cmd.objection_id, today)
    await _require_in_force(uow, run_id)
    seal = await data_keys(uow).sealer(objector_subject(run_id, cmd.objection_id), field="objector")
    objections.lodge(cmd, village.district, village.designated_by == run_id, today, access.principal.subject, seal)
    await uow.save(objections)
    return {"run_id": run_id, "objection_id": cmd.objection_id, "village_code": cmd.village_code,
            "lodged_on": today, "closes_on": objections.window.closes_on}


async def answer_objection(uow: UnitOfWork, cmd: AnswerObjection, access: Access, *, run_id: str,
                           objection_id: str) -> dict:
    objections = await uow.load(DesignationObjections, run_id)
    objections.check_answer(objection_id, access.principal.subject)
    await _require_in_force(uow, run_id)
    seal = await data_keys(uow).sealer(objector_subject(run_id, objection_id), field="reason")
    today = business_day(uow)
    objections.answer(objection_id, cmd, today, access.principal.subject, seal)
    await uow.save(objections)
    return {"run_id": run_id, "objection_id": objection_id, "outcome": cmd.outcome, "answered_on": today}


async def confirm_designation(uow: UnitOfWork, _: ConfirmDesignation, *, run_id: str) -> dict:
    """The list stands: the window closed, every objection answered, none upheld."""
    objections = await uow.load(DesignationObjections, run_id)
    objections.confirm(business_day(uow))
    await _require_in_force(uow, run_id)
    await uow.save(objections)
    return {"run_id": run_id, "confirmed_on": objections.confirmed_on, "objections": len(objections.objections),
            "designated": objections.window.designated_count}
