"""指标溯源 / any figure by any breakdown, its events, and its course over time."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from shared.dates import today as programme_today
from shared.http.deps import IsoDate
from shared.money import yuan

from services.publicity.entrypoints import schemas as S
from services.publicity.entrypoints.routes.caching import Rendered, answers_of, cached, json_answer
from services.publicity.entrypoints.reader import disclosure_for
from services.publicity.entrypoints.routes.common import VILLAGE_CODE, AsOfDep, District, KnownAt, answer, disclosed
from services.publicity.queries import figures, timeline
from services.publicity.queries.facts_sql import as_known_at
from services.publicity.queries.figures import Scope
from services.publicity.queries.metrics import CATALOGUE, Metric

router = APIRouter(prefix="/stats", tags=["指标溯源 figures and provenance"])
Village = Annotated[str | None, Query(pattern=VILLAGE_CODE, description="村代码 / village code")]
Dims = Annotated[list[str], Query(max_length=8, description="细分条件 key:value / breakdown filter, e.g. source:city_special")]
METRIC_PATH = Path(description="指标名 / metric name, see /stats/metrics", max_length=40)


def _metric(name: str) -> Metric:
    if name not in CATALOGUE:
        raise HTTPException(404, detail=[{"loc": ["path", "metric"], "type": "not_found",
                                          "msg": f"未知指标 / unknown metric {name!r}; see /stats/metrics"}])
    return CATALOGUE[name]


def _dims(m: Metric, dim: list[str]) -> dict[str, str]:
    out = {}
    for item in dim:
        key, sep, value = item.partition(":")
        if not sep or key not in m.breakdowns:
            raise HTTPException(422, detail=[{"loc": ["query", "dim"], "type": "value_error",
                                              "msg": f"细分应为 key:value，key 取自 / expected key:value with key in "
                                                     f"{list(m.breakdowns)}, got {item!r}"}])
        out[key] = value
    return out


def _show(m: Metric, value) -> str | int:
    return yuan(value) if m.unit == "fen" else int(value)


@router.get("/metrics", summary="指标目录 / the catalogue of figures")
async def catalogue() -> S.Catalogue:
    return {"metrics": [{"name": m.name, "zh": m.zh, "en": m.en,
                         "unit": "元 / yuan" if m.unit == "fen" else m.unit,
                         "breakdowns": ["district", "village", *m.breakdowns]} for m in CATALOGUE.values()]}


@router.get("/figures/{metric}", response_model=S.Figure, summary="任一指标按任一维度 / a figure by any breakdown")
async def figure(
    request: Request, asof: AsOfDep, metric: Annotated[str, METRIC_PATH], district: District = None,
    village: Village = None, dim: Dims = [],  # noqa: B006 — FastAPI reads the default, never mutates it
    by: Annotated[str | None, Query(max_length=20, description="按 / group by: district, village or a breakdown")] = None,
) -> Response:
    m = _metric(metric)
    if by is not None and by not in ("district", "village", *m.breakdowns):
        raise HTTPException(422, detail=[{"loc": ["query", "by"], "type": "value_error",
                                          "msg": f"不能按 {by!r} 分组 / cannot group by {by!r}"}])
    scope = Scope(district, village, _dims(m, dim))

    async def build(conn) -> dict:
        rows = await figures.grouped(conn, metric, asof, (by,) if by else (), scope)
        total = sum(r["value"] for r in rows)
        return {"metric": metric, "zh": m.zh, "en": m.en, "value": _show(m, total),
                "groups": [{by: r[by], "value": _show(m, r["value"]), "rows": r["rows"]} for r in rows] if by else None}
    return await answer(request, asof, build, lambda rule, body: rule.figure(body, m.unit))


@router.get("/explain/{metric}", response_model=S.Explanation, summary="指标溯源：计算所依据的事件 / the events a figure was computed from")
async def explain(
    request: Request, asof: AsOfDep, metric: Annotated[str, METRIC_PATH], district: District = None,
    village: Village = None, dim: Dims = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=10_000, description="最多列出 / at most this many events")] = 1000,
) -> Response:
    m = _metric(metric)
    scope = Scope(district, village, _dims(m, dim))

    async def build(conn) -> dict:
        found = await figures.explain(conn, metric, asof, scope, limit)
        return {"metric": metric, "zh": m.zh, "en": m.en, **found, "value": _show(m, found["value"])}
    return await answer(request, asof, build, lambda rule, body: rule.explain(body, m.unit))


@router.get("/timeline/{metric}", response_model=S.Timeline, summary="指标随时间（月末）/ a figure at each month's end")
async def series(
    request: Request, metric: Annotated[str, METRIC_PATH], known: KnownAt, district: District = None,
    start: Annotated[IsoDate, Query(alias="from", description="起 / from")] = date(2021, 1, 1),
    end: Annotated[IsoDate | None, Query(alias="to", description="止（默认今天）/ to (default today)")] = None,
) -> Response:
    m = _metric(metric)
    today = None if end else programme_today()
    end = end or today
    if end < start:
        raise HTTPException(422, detail=[{"loc": ["query", "to"], "type": "value_error",
                                          "msg": "止日期早于起日期 / 'to' is before 'from'"}])

    rule = await disclosure_for(request)

    async def render(conn, _shown) -> Rendered:
        points = await timeline.series(as_known_at(conn, known), metric, start, end, Scope(district),
                                       answers_of(request).points)
        body = {"metric": metric, "zh": m.zh, "en": m.en, "points": [p | {"value": _show(m, p["value"])} for p in points]}
        return json_answer(disclosed(rule, body, lambda rule, body: rule.timeline(body, m.unit)), restate=False)
    # Month ends up to a fixed day: a function of the read model's state and of `to` (a parameter, in
    # the key), or without it of today.
    return await cached(request, render, asof=None, now=False, today=today)
