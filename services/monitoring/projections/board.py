"""预警看板 / every alert as it stands, and the log of alert events in position order.

Read from monitoring's own topic, so both carry the global position of monitoring's store:
``monitoring.alerts.position`` is the alert's last event, ``monitoring.alert_log`` holds one
row per alert event (the SSE stream's ``Last-Event-ID`` and the webhooks' cursor).
"""

from __future__ import annotations

import asyncpg

from shared.contracts.monitoring import AlertAcknowledged, AlertEscalated, AlertRaised, AlertResolved
from shared.eventstore import RecordedEvent
from shared.projections import Projection



class AlertBoard(Projection):
    name = "alert_board"
    sources = ("monitoring",)
    tables = ("monitoring.alerts", "monitoring.alert_log")

    async def _log(self, conn: asyncpg.Connection, r: RecordedEvent, alert_id: str) -> None:
        """The event as the log's row, with the alert's scope (audience widened by escalation)."""
        await conn.execute(
            """insert into monitoring.alert_log (position, event_id, alert_id, type, rule_id, severity, district,
                                                 village_code, team_id, audience, payload, recorded_at)
               select $1, $2, a.alert_id, $3, a.rule_id, a.severity, a.district, a.village_code, a.team_id,
                      array(select distinct x from unnest(a.audience || a.escalated_to) x order by 1),
                      $4::jsonb, $5
               from monitoring.alerts a where a.alert_id = $6
               on conflict (position) do nothing""",
            r.global_position, r.event_id, r.type, r.payload, r.recorded_at, alert_id)

    async def when_AlertRaised(self, conn, e: AlertRaised, r: RecordedEvent) -> None:
        await conn.execute(
            """insert into monitoring.alerts (alert_id, rule_id, rule_version, severity, subject_kind, subject_id,
                   district, village_code, team_id, audience, state, title, figures, raised_on, cause_event_id,
                   raised_position, position)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12::jsonb, $13, $14, $15, $15)
               on conflict (alert_id) do nothing""",
            e.alert_id, e.rule_id, e.rule_version, e.severity, e.subject_kind, e.subject_id, e.district,
            e.village_code, e.team_id, list(e.audience), e.title, e.figures, e.raised_on,
            e.cause_event_id, r.global_position)
        await self._log(conn, r, e.alert_id)

    async def when_AlertEscalated(self, conn, e: AlertEscalated, r: RecordedEvent) -> None:
        await conn.execute(
            """update monitoring.alerts set level = greatest(level, $2), escalated_on = $3,
                   escalated_to = array(select distinct x from unnest(escalated_to || $4::text[]) x order by 1),
                   position = greatest(position, $5)
               where alert_id = $1""",
            e.alert_id, e.level, e.escalated_on, list(e.escalated_to), r.global_position)
        await self._log(conn, r, e.alert_id)

    async def when_AlertAcknowledged(self, conn, e: AlertAcknowledged, r: RecordedEvent) -> None:
        await conn.execute(
            """update monitoring.alerts set state = case when state = 'resolved' then state else 'acknowledged' end,
                   acknowledged_by = $2, acknowledged_on = $3, position = greatest(position, $4)
               where alert_id = $1""",
            e.alert_id, e.by, e.acknowledged_on, r.global_position)
        await self._log(conn, r, e.alert_id)

    async def when_AlertResolved(self, conn, e: AlertResolved, r: RecordedEvent) -> None:
        await conn.execute(
            """update monitoring.alerts set state = 'resolved', resolved_on = $2, resolved_how = $3, resolved_by = $4,
                   cleared_by_event = $5, position = greatest(position, $6)
               where alert_id = $1""",
            e.alert_id, e.resolved_on, e.how, e.by, e.cause_event_id, r.global_position)
        await self._log(conn, r, e.alert_id)
