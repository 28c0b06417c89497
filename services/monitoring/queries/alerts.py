"""预警查询 / alerts as the board keeps them: filtered, scoped, paged; one with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from shared.privacy import keys
from shared.privacy.sealed import Sealed

from services.monitoring.domain.access import AlertScope

COLUMNS = """alert_id, rule_id, rule_version, severity, subject_kind, subject_id, district, village_code, team_id,
             audience, escalated_to, level, state, title, figures, raised_on, cause_event_id, escalated_on,
             acknowledged_by, acknowledged_on, resolved_on, resolved_how, resolved_by, cleared_by_event,
             raised_position, position"""


@dataclass(frozen=True)
class AlertFilter:
    rule_id: str | None = None
    severity: str | None = None
    district: str | None = None
    state: str | None = None
    raised_from: date | None = None
    raised_to: date | None = None


def scoped_where(scope: AlertScope, f: AlertFilter) -> tuple[str, list]:
    clauses, args = [], []

    def arg(value) -> str:
        args.append(value)
        return f"${len(args)}"

    if scope.villages is not None:
        clauses.append(f"(village_code = any({arg(list(scope.villages))}::text[]) "
                       f"or team_id = any({arg(list(scope.teams))}::text[]))")
    elif scope.district is not None:
        clauses.append(f"district = {arg(scope.district)}")
    for column, value in (("rule_id", f.rule_id), ("severity", f.severity), ("district", f.district),
                          ("state", f.state)):
        if value is not None:
            clauses.append(f"{column} = {arg(value)}")
    if f.raised_from is not None:
        clauses.append(f"raised_on >= {arg(f.raised_from)}")
    if f.raised_to is not None:
        clauses.append(f"raised_on <= {arg(f.raised_to)}")
    return (" where " + " and ".join(clauses)) if clauses else "", args


def view(row: asyncpg.Record) -> dict:
    out = dict(row)
    out["audience"], out["escalated_to"] = list(out["audience"]), list(out["escalated_to"])
    return out


async def list_alerts(conn: asyncpg.Connection, scope: AlertScope, f: AlertFilter, *, limit: int,
                      before: int | None = None) -> dict:
    """Newest first; ``before``: the ``raised_position`` of the previous page's last alert."""
    where, args = scoped_where(scope, f)
    total = await conn.fetchval(f"select count(*) from monitoring.alerts{where}", *args)
    if before is not None:
        where = (where + " and " if where else " where ") + f"raised_position < ${len(args) + 1}"
        args.append(before)
    rows = await conn.fetch(f"select {COLUMNS} from monitoring.alerts{where} order by raised_position desc "
                            f"limit ${len(args) + 1}", *args, limit)
    items = [view(r) for r in rows]
    following = items[-1]["raised_position"] if len(items) == limit else None
    return {"total": total, "items": items, "next_before": following}


async def export_rows(conn: asyncpg.Connection, scope: AlertScope, f: AlertFilter, limit: int) -> list[dict]:
    where, args = scoped_where(scope, f)
    rows = await conn.fetch(f"select {COLUMNS} from monitoring.alerts{where} order by raised_on, raised_position "
                            f"limit ${len(args) + 1}", *args, limit)
    return [view(r) for r in rows]


def _open_text(payload: dict, name: str, opener) -> str | None:
    value = payload.get(name)
    return opener(Sealed.model_validate(value)) if value else None


async def alert_detail(conn: asyncpg.Connection, scope: AlertScope, alert_id: str) -> dict | None:
    row = await conn.fetchrow(f"select {COLUMNS} from monitoring.alerts where alert_id = $1", alert_id)
    if row is None or not scope.sees(row["district"], row["village_code"], row["team_id"]):
        return None
    log = await conn.fetch("""select position, event_id, type, payload, recorded_at from monitoring.alert_log
                              where alert_id = $1 order by position""", alert_id)
    opener = await keys.opener(conn, [f"alert-{alert_id}"])
    history = []
    for r in log:
        payload = r["payload"]
        entry = {"position": r["position"], "event_id": r["event_id"], "type": r["type"],
                 "recorded_at": r["recorded_at"], "by": payload.get("by"),
                 "on": payload.get("raised_on") or payload.get("escalated_on") or payload.get("acknowledged_on")
                 or payload.get("resolved_on"),
                 "level": payload.get("level"), "how": payload.get("how"),
                 "cause_event_id": payload.get("cause_event_id"),
                 "note": _open_text(payload, "note", opener), "reason": _open_text(payload, "reason", opener)}
        history.append(entry)
    return view(row) | {"history": history}
