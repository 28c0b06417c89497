"""统计 / statistics, public: every figure of the plan, as of any date."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import asyncpg

from fastapi import APIRouter, Query, Request, Response

from shared.reference.places import DISTRICTS

from services.publicity.domain.asof import AsOf
from services.publicity.entrypoints import schemas as S
from services.publicity.entrypoints.routes.caching import Rendered, cached, json_answer
from services.publicity.entrypoints.routes.common import AsOfDep, District, KnownAt, answer, as_of_param
from services.publicity.queries import assessment, cadres, designation, headline, income, low_income, money
from services.publicity.queries import network, projects

router = APIRouter(prefix="/stats", tags=["统计 statistics"])


@router.get("/overview", response_model=S.Overview, summary="总览：各区行政村数 / overview: villages per district")
async def overview(request: Request, known: KnownAt, as_of: Annotated[str | None, Query(max_length=40, description=(
        "截至（默认全部）/ as of (default: everything registered)"))] = None) -> Response:
    cutoff = (await as_of_param(as_of)).cutoff if as_of else None

    async def render(conn, _shown) -> Rendered:
        counts = await designation.registered_per_district(conn, cutoff, dict(known or ()).get("registry"))
        return json_answer({
            "villages_total": sum(counts.values()),
            "districts": [
                {"code": code, "name": name, "villages": counts.get(code, 0)} for code, name in DISTRICTS.items()
            ],
        }, restate=False)

    # Without as_of: everything registered, which the read model's state alone decides.
    return await cached(request, render, asof=None, now=False)


@router.get("/designation/ranked", response_model=S.Ranked, summary="全市倒排名单（含三年平均与分界线）/ the ranked list with averages and cut-off")
async def designation_ranked(
    request: Request, asof: AsOfDep, district: District = None,
    designated_only: Annotated[bool, Query(description="只列薄弱村 / weak villages only")] = False,
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数 / page size")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="起始 / offset")] = 0,
) -> Response:
    return await answer(request, asof, lambda conn: designation.ranked(
        conn, asof, district=district, designated_only=designated_only, limit=limit, offset=offset))


@router.get("/assessment", response_model=S.Assessment, summary="年度考核：工作队、单位、区的得分与等次 / published assessments")
async def assessment_results(
    request: Request, asof: AsOfDep,
    year: Annotated[int | None, Query(ge=2021, le=2100, description="年度 / year (default: latest)")] = None,
) -> Response:
    return await answer(request, asof, lambda conn: assessment.assessment(conn, asof, year))


Figures = Callable[[asyncpg.Connection, AsOf, str | None], Awaitable[dict]]


def _by_district(path: str, name: str, model: type, summary: str, figures: Figures) -> None:
    """A route answering ``figures(conn, as of, district)`` for the public, as of any date, for a
    district or the city (``name`` keeps the operation id the route always had)."""

    async def endpoint(request: Request, asof: AsOfDep, district: District = None) -> Response:
        return await answer(request, asof, lambda conn: figures(conn, asof, district))

    router.get(path, name=name, response_model=model, summary=summary)(endpoint)


def _under(key: str, figures: Callable[..., Awaitable], **more: str) -> Figures:
    async def build(conn: asyncpg.Connection, asof: AsOf, district: str | None) -> dict:
        return {**more, key: await figures(conn, asof, district)}
    return build


for _route in (
    ("/headline", "headline_figures", S.HeadlineAnswer, "要览：核心指标 / headline figures",
     _under("headline", headline.headline)),
    ("/designation", "designation_summary", S.Designation,
     "认定：各区行政村与薄弱村数、最近一次筛查 / designation by district", designation.summary),
    ("/coverage", "coverage", S.ByDistrict,
     "帮扶网络覆盖：驻村工作队、扶持单位、第一书记培训 / coverage of the support network", network.coverage),
    ("/income", "income_figures", S.Income,
     "收入：达到20万元的村（按年）、农民收入增幅对比全市 / income", income.income),
    ("/money", "money_figures", S.Money, "资金：下达、分配、拨付、拨付率、待审批 / money by source, district and task",
     money.money),
    ("/money/villages", "money_by_village", S.MoneyVillages, "资金：按村 / money by village",
     _under("villages", money.villages, unit="元 / yuan")),
    ("/projects", "project_figures", S.Projects,
     "项目：按行动与任务的计划/实施/完成、逾期节点 / projects by action and task", projects.projects),
    ("/low-income", "low_income_figures", S.LowIncome, "低收入人口保障：应保与已保（按类别）/ low-income protection",
     low_income.low_income),
    ("/low-income/gaps", "low_income_gaps", S.Gaps, "应保未保清单（按村计数）/ the gap list: counts by village",
     _under("villages", low_income.gaps)),
    ("/cadres", "cadre_figures", S.Cadres,
     "驻村干部：在岗、驻村天数、休假、参保、补助（汇总）/ cadres, aggregates only", cadres.cadres),
):
    _by_district(*_route)
