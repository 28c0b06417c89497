"""预算线 / budget lines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shared.contracts.funding import FundSource
from shared.eventstore import NotFound
from shared.http.command_routes import CommandRoutes

from services.funding.domain.commands import AdjustAppropriation, AppropriateBudget
from services.funding.entrypoints.deps import Conn, LineId, LinesReader, Run, Writer
from services.funding.entrypoints.schemas import Line, LineFigures, Lines
from services.funding.queries import reads

router = APIRouter(prefix="/lines", tags=["预算 budget lines"])


writes = CommandRoutes(router.post, Run, Writer, line_id=LineId)
writes.add("", AppropriateBudget, LineFigures, name="appropriate", status_code=201,
           summary="预算下达 / appropriate a budget line",
           responses={409: {"description": "编号已存在 / line id exists"},
                      403: {"description": "超出本区范围 / outside your scope"}})
writes.add("/{line_id}/adjust", AdjustAppropriation, LineFigures, name="adjust",
           summary="调整预算（不低于已分配）/ adjust a line (not below what is allocated)")


@router.get("", summary="预算线及执行 / lines with what was allocated and paid")
async def list_lines(
    conn: Conn,
    reader: LinesReader,
    source: Annotated[FundSource | None, Query(description="资金来源 / source")] = None,
    fiscal_year: Annotated[int | None, Query(ge=2000, le=2100, description="年度 / fiscal year")] = None,
    scope: Annotated[str | None, Query(description="'city' 或区代码 / 'city' or a district code")] = None,
) -> Lines:
    return {"items": await reads.lines(conn, district=reader.district or scope, source=source, fiscal_year=fiscal_year)}


@router.get("/{line_id}", summary="一条预算线 / one line")
async def get_line(line_id: LineId, conn: Conn, reader: LinesReader) -> Line:
    line = await reads.line(conn, line_id)
    if line is None or (reader.district and line["scope"] != reader.district):
        raise NotFound(f"未找到预算线 {line_id} / line {line_id} not found", field="line_id")
    return line
