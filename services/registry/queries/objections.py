"""公示期异议 / a run's objection window and its objections, opened for the officials who read them."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import NotFound
from shared.privacy import keys

from services.registry.domain.objections import DesignationObjections


async def objections(uow: UnitOfWork, run_id: str, district: str | None = None) -> dict:
    """The window and its objections — of ``district`` only, for a district's officials."""
    stream = await uow.store.read_stream(uow.conn, DesignationObjections(run_id).stream_id)
    if not stream:
        raise NotFound(f"批次 {run_id} 未开启公示期 / run {run_id} has no objection window", field="run_id",
                       location="path")
    events = [e.decode() for e in stream]
    window = events[0]
    lodged = [e for e in events if type(e).__name__ == "ObjectionLodged" and district in (None, e.district)]
    answers = {e.objection_id: e for e in events if type(e).__name__ == "ObjectionAnswered"}
    confirmed = next((e for e in events if type(e).__name__ == "DesignationConfirmed"), None)
    show = await keys.opener(uow.conn, {e.objector.key for e in lodged})
    return {
        "run_id": run_id, "opens_on": window.opens_on, "closes_on": window.closes_on, "days": window.days,
        "confirmed_on": confirmed.confirmed_on if confirmed else None,
        "objections": [{
            "objection_id": e.objection_id, "village_code": e.village_code, "district": e.district,
            "listed": e.listed, "objector": show(e.objector), "grounds": show(e.grounds), "lodged_on": e.lodged_on,
            "lodged_by": e.lodged_by,
            "outcome": answers[e.objection_id].outcome if e.objection_id in answers else None,
            "reason": show(answers[e.objection_id].reason) if e.objection_id in answers else None,
            "answered_on": answers[e.objection_id].answered_on if e.objection_id in answers else None,
        } for e in lodged],
    }
