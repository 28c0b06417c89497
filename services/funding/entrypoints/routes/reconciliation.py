"""对账 / reconciliation, as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from shared.contracts.funding import FundSource
from shared.eventstore.errors import DomainError
from shared.http.bodies import BINARY, TEXT
from shared.http.deps import IsoDate

from services.funding.entrypoints.deps import Conn, LinesReader
from services.funding.entrypoints.schemas import Reconciliation
from services.funding.queries import export
from services.funding.queries.reconciliation import reconcile

router = APIRouter(prefix="/reconciliation", tags=["对账 reconciliation"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "",
    summary="对账：下达→分配→支付，逐元可追溯 / trace every yuan from appropriation to allocation to payment",
    description="按来源、区、村汇总期间及截至期末的金额，并标出异常（未审批支付、超预算分配、节点验收前支付等）；"
    "format=csv|xlsx 导出 / by source, district and village, with breaks flagged; export with format=csv|xlsx",
    response_model=Reconciliation,
    responses={200: {"content": {"text/csv": TEXT, XLSX: BINARY}}},
)
async def reconciliation(
    conn: Conn,
    reader: LinesReader,
    start: Annotated[IsoDate, Query(alias="from", description="起始日（含）/ first day, inclusive")],
    end: Annotated[IsoDate, Query(alias="to", description="截止日（含）/ last day, inclusive")],
    district: Annotated[str | None, Query(pattern=r"^\d{6}$", description="区代码 / district code")] = None,
    source: Annotated[FundSource | None, Query(description="资金来源 / source")] = None,
    format: Annotated[Literal["json", "csv", "xlsx"], Query(description="输出格式 / output format")] = "json",
    table: Annotated[Literal["lines", "allocations", "payments", "breaks"],
                     Query(description="CSV 导出哪张表 / which table as CSV")] = "allocations",
) -> Any:
    if end < start:
        raise DomainError("截止日早于起始日 / 'to' is before 'from'", field="to")
    report = await reconcile(conn, start, end, district=reader.district or district, source=source)
    name = f"reconciliation_{start.isoformat()}_{end.isoformat()}"
    if format == "csv":
        return Response(export.to_csv(report, table), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}_{table}.csv"'})
    if format == "xlsx":
        return Response(export.to_xlsx(report), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return report
