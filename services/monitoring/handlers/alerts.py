"""预警 / what officials do with an alert: take it on (a note), close it by hand (a reason).
Both texts may be about a person: sealed under the alert's own key (``alert-<id>``)."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import NotFound

from services.monitoring.domain.access import AlertScope
from services.monitoring.domain.alert import Acknowledge, Alert, ResolveByHand
from services.monitoring.domain.calendar import business_day
from services.monitoring.handlers.ports import data_keys


async def _load_visible(uow: UnitOfWork, scope: AlertScope, alert_id: str) -> Alert:
    alert = await uow.load(Alert, alert_id)
    r = alert.raised
    if r is None:
        raise NotFound(f"没有预警 {alert_id} / no alert {alert_id}", field="alert_id", location="path")
    scope.ensure_sees(alert_id, r.district, r.village_code, r.team_id)
    return alert


async def acknowledge(uow: UnitOfWork, cmd: Acknowledge, scope: AlertScope, *, alert_id: str) -> dict:
    alert = await _load_visible(uow, scope, alert_id)
    alert._ensure_open()
    note = (await data_keys(uow).sealer(alert.stream_id, field="note"))(cmd.note)
    event = alert.acknowledge(scope.subject, business_day(uow.meta.occurred_at or datetime.now(UTC)), note)
    await uow.save(alert)
    return {"alert_id": alert_id, "state": "acknowledged", "acknowledged_by": event.by,
            "acknowledged_on": event.acknowledged_on.isoformat()}


async def resolve(uow: UnitOfWork, cmd: ResolveByHand, scope: AlertScope, *, alert_id: str) -> dict:
    scope.ensure_may_resolve()
    alert = await _load_visible(uow, scope, alert_id)
    alert._ensure_open()
    reason = (await data_keys(uow).sealer(alert.stream_id, field="reason"))(cmd.reason)
    event = alert.resolve_by_hand(scope.subject, business_day(uow.meta.occurred_at or datetime.now(UTC)), reason)
    await uow.save(alert)
    return {"alert_id": alert_id, "state": "resolved", "resolved_how": "by_hand", "resolved_by": event.by,
            "resolved_on": event.resolved_on.isoformat()}
