"""预警 / alerts: the list (filters, scope, pages), its summary, one with its history, the weekly export,
and what officials do with one (acknowledge, resolve by hand)."""

from __future__ import annotations

from typing import Annotated, Literal

import asyncpg
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from shared.eventstore import NotFound
from shared.http.bodies import BINARY, TEXT
from shared.http.deps import IsoDate, get_pool
from shared.dates import today

from services.monitoring.config import MAX_EXPORT_ROWS, MAX_PAGE
from services.monitoring.domain.alert import Acknowledge, ResolveByHand
from services.monitoring.entrypoints.deps import ResolverScope, Run, Scope
from services.monitoring.entrypoints.schemas import AlertChange, AlertDetail, AlertPage, AlertSummary
from services.monitoring.queries import export, summary
from services.monitoring.queries.alerts import AlertFilter, alert_detail, export_rows, list_alerts

router = APIRouter(prefix="/alerts", tags=["预警 alerts"])
AlertId = Annotated[str, Path(max_length=60, description="预警编号 / alert id")]
Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


def _filter(
    rule: Annotated[str | None, Query(max_length=60, description="规则 / rule id")] = None,
    severity: Annotated[Literal["info", "warning", "critical"] | None, Query(description="级别 / severity")] = None,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$", description="区代码 / district code")] = None,
    state: Annotated[Literal["open", "acknowledged", "resolved"] | None, Query(description="状态 / state")] = None,
    raised_from: Annotated[IsoDate | None, Query(alias="from", description="发现日起（含）/ raised on or after")] = None,
    raised_to: Annotated[IsoDate | None, Query(alias="to", description="发现日止（含）/ raised on or before")] = None,
) -> AlertFilter:
    return AlertFilter(rule, severity, district, state, raised_from, raised_to)


Filter = Annotated[AlertFilter, Depends(_filter)]


@router.get("", summary="预警列表（最新在前）/ alerts, newest first")
async def alerts(scope: Scope, f: Filter, pool: Pool,
                 limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="每页条数 / page size")] = 100,
                 before: Annotated[int | None, Query(ge=1, description="上一页的 next_before / the previous page's "
                                                                      "next_before")] = None) -> AlertPage:
    async with pool.acquire() as conn:
        return AlertPage(**await list_alerts(conn, scope, f, limit=limit, before=before))


@router.get("/summary", summary="预警概览（未解除：按规则、按区、账龄、确认记录）/ unresolved alerts by rule and "
                                 "district, their age in business days, and who acknowledged what")
async def alert_summary(scope: Scope, f: Filter, pool: Pool) -> AlertSummary:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return AlertSummary(**await summary.summary(conn, scope, f))


@router.get("/export.csv", summary="导出（周例会）/ export for the weekly meeting, CSV",
            response_class=Response, responses={200: {"content": {"text/csv": TEXT}}})
async def export_csv(scope: Scope, f: Filter, pool: Pool) -> Response:
    async with pool.acquire() as conn:
        rows = await export_rows(conn, scope, f, MAX_EXPORT_ROWS)
    name = f"alerts-{today().isoformat()}.csv"
    return Response(export.to_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/export.xlsx", summary="导出（周例会）/ export for the weekly meeting, XLSX",
            response_class=Response, responses={200: {"content": {XLSX: BINARY}}})
async def export_xlsx(scope: Scope, f: Filter, pool: Pool) -> Response:
    async with pool.acquire() as conn:
        rows = await export_rows(conn, scope, f, MAX_EXPORT_ROWS)
    name = f"alerts-{today().isoformat()}.xlsx"
    return Response(export.to_xlsx(rows), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{alert_id}", summary="预警及其经过 / an alert with its history")
async def alert(alert_id: AlertId, scope: Scope, pool: Pool) -> AlertDetail:
    async with pool.acquire() as conn:
        found = await alert_detail(conn, scope, alert_id)
    if found is None:
        raise NotFound(f"没有预警 {alert_id} / no alert {alert_id}", field="alert_id", location="path")
    return AlertDetail(**found)


@router.post("/{alert_id}/acknowledge", summary="确认（已知悉，停止升级）/ acknowledge: taken on, escalation stops",
             responses={409: {"description": "已确认或已解除 / already acknowledged or resolved"}})
async def acknowledge(alert_id: AlertId, cmd: Acknowledge, scope: Scope, run: Run) -> AlertChange:
    return AlertChange(**await run(cmd, scope, alert_id=alert_id))


@router.post("/{alert_id}/resolve", summary="手工解除（需理由）/ resolve by hand, with a reason",
             responses={409: {"description": "已解除 / already resolved"}})
async def resolve(alert_id: AlertId, cmd: ResolveByHand, scope: ResolverScope, run: Run) -> AlertChange:
    return AlertChange(**await run(cmd, scope, alert_id=alert_id))
