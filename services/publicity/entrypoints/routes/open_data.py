"""开放数据 / open data: public statistics as CSV and JSON, projects and fund flows as IATI XML.

Every export states the log positions it was computed from (in the body and in the
``X-Log-Positions`` header), so a copy can be checked against the log later.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from shared.http.bodies import TEXT

from services.publicity.adapters import iati
from services.publicity.domain.asof import AsOf
from services.publicity.entrypoints import schemas as S
from services.publicity.entrypoints.routes.caching import Rendered, cached, json_answer
from services.publicity.entrypoints.reader import disclosure_for
from services.publicity.entrypoints.routes.common import AsOfDep, asked_now
from services.publicity.queries.activities import activities
from services.publicity.queries.open_data import COLUMNS, statistic_rows
from services.publicity.queries.positions import log_positions

router = APIRouter(prefix="/open-data", tags=["开放数据 open data"])


def _positions_text(positions: dict[str, int]) -> str:
    return " ".join(f"{s}:{p}" for s, p in sorted(positions.items()))


def _headers(asof: AsOf, positions: dict[str, int], filename: str) -> dict[str, str]:
    return {"X-Log-Positions": _positions_text(positions), "X-As-Of": asof.text,
            "Content-Disposition": f'attachment; filename="{filename}"'}


def _rendered(body: bytes, media_type: str, asof: AsOf, positions: dict[str, int], filename: str,
              restate: bool) -> Rendered:
    return Rendered(body, media_type, tuple(_headers(asof, positions, filename).items()),
                    "token" if restate else None)


async def _disclosed(conn, asof: AsOf, rule) -> tuple[dict[str, int], list[dict]]:
    """The log positions the figures are drawn at, and the rows as the caller's disclosure rule shows them."""
    positions = await log_positions(conn, asof.known)
    rows = await statistic_rows(conn, asof)
    return positions, (rule.open_data(rows) if rule is not None else rows)


@router.get("/statistics.json", response_model=S.StatisticsJson, summary="公开统计（JSON）/ public statistics as JSON")
async def statistics_json(request: Request, asof: AsOfDep) -> Response:
    now = asked_now(request)
    rule = await disclosure_for(request)

    async def render(conn, shown: AsOf) -> Rendered:
        positions, rows = await _disclosed(conn, asof, rule)
        body = {**shown.to_json(), "log_positions": positions, "columns": list(COLUMNS)}
        if rule is not None:
            body |= {"disclosure": rule.note()}
        return json_answer(body | {"rows": rows}, restate=now,
                           headers=_headers(shown, positions, "xingcun-statistics.json"))
    return await cached(request, render, asof=asof, now=now)


@router.get("/statistics.csv", summary="公开统计（CSV）/ public statistics as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": TEXT}}})
async def statistics_csv(request: Request, asof: AsOfDep) -> Response:
    now = asked_now(request)
    rule = await disclosure_for(request)

    async def render(conn, shown: AsOf) -> Rendered:
        positions, rows = await _disclosed(conn, asof, rule)
        if rule is not None:
            # In CSV a suppressed count reads "<5": a spreadsheet shows why the cell is empty.
            rows = [{k: v for k, v in r.items() if k != "suppressed"} | ({"value": f"<{rule.min_count}"}
                    if r.get("suppressed") else {}) for r in rows]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*COLUMNS, "as_of", "log_positions"], lineterminator="\n")
        writer.writeheader()
        stated = {"as_of": shown.text, "log_positions": _positions_text(positions)}
        writer.writerows(row | stated for row in rows)
        # A BOM so that spreadsheet programs read the Chinese text as UTF-8.
        return _rendered(("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8", shown, positions,
                         "xingcun-statistics.csv", now)
    return await cached(request, render, asof=asof, now=now)


@router.get("/iati-activities.xml", summary="项目与资金流向（IATI 2.03）/ projects and fund flows as IATI activity XML",
            response_class=Response, responses={200: {"content": {"application/xml": TEXT}}})
async def iati_activities(request: Request, asof: AsOfDep) -> Response:
    now = asked_now(request)

    async def render(conn, shown: AsOf) -> Rendered:
        positions = await log_positions(conn, asof.known)
        data = await activities(conn, asof)
        # `generated`: when this file was made, which a kept copy states truly
        body = iati.build(data, as_of=shown.text, positions=positions, generated=datetime.now(UTC))
        return _rendered(body, "application/xml", shown, positions, "xingcun-iati.xml", now)
    return await cached(request, render, asof=asof, now=now)
