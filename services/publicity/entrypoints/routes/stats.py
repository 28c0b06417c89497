"""统计 / statistics, public: every figure of the plan, as of any date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from shared.reference.places import DISTRICTS

from services.publicity.entrypoints import schemas as S
from services.publicity.entrypoints.routes.caching import Rendered, cached, json_answer
from services.publicity.entrypoints.routes.common import AsOfDep, District, answer, as_of_param
from services.publicity.queries import (
    assessment,
    cadres,
    designation,
    headline,
    income,
    low_income,
    money,
    network,
    projects,
)

router = APIRouter(prefix="/stats", tags=["统计 statistics"])


@router.get("/overview", response_model=S.Overview, summary="总览：各区行政村数 / overview: villages per district")
async def overview(request: Request, as_of: Annotated[str | None, Query(max_length=40, description=(
        "截至（默认全部）/ as of (default: everything registered)"))] = None) -> Response:
    cutoff = as_of_param(as_of).cutoff if as_of else None

    async def render(conn, _shown) -> Rendered:
        rows = await conn.fetch(
            """select district, count(*) as villages from stats.villages
               where $1::timestamptz is null or registered_at < $1 group by district""", cutoff)
        counts = {r["district"]: r["villages"] for r in rows}
        return json_answer({
            "villages_total": sum(counts.values()),
            "districts": [
                {"code": code, "name": name, "villages": counts.get(code, 0)} for code, name in DISTRICTS.items()
            ],
        }, restate=False)

    # Without as_of: everything registered, which the read model's state alone decides.
    return await cached(request, render, asof=None, now=False)


@router.get("/headline", response_model=S.HeadlineAnswer, summary="要览：核心指标 / headline figures")
async def headline_figures(request: Request, asof: AsOfDep, district: District = None) -> Response:
    async def build(conn) -> dict:
        return {"headline": await headline.headline(conn, asof, district)}
    return await answer(request, asof, build)


@router.get("/designation", response_model=S.Designation, summary="认定：各区行政村与薄弱村数、最近一次筛查 / designation by district")
async def designation_summary(request: Request, asof: AsOfDep, district: District = None) -> Response:
    return await answer(request, asof, lambda conn: designation.summary(conn, asof, district))


@router.get("/designation/ranked", response_model=S.Ranked, summary="全市倒排名单（含三年平均与分界线）/ the ranked list with averages and cut-off")
async def designation_ranked(
    request: Request, asof: AsOfDep, district: District = None,
    designated_only: Annotated[bool, Query(description="只列薄弱村 / weak villages only")] = False,
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数 / page size")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="起始 / offset")] = 0,
) -> Response:
    return await answer(request, asof, lambda conn: designation.ranked(
        conn, asof, district=district, designated_only=designated_only, limit=limit, offset=offset))


@router.get("/coverage", response_model=S.ByDistrict, summary="帮扶网络覆盖：驻村工作队、扶持单位、第一书记培训 / coverage of the support network")
async def coverage(request: Request, asof: AsOfDep, district: District = None) -> Response:
    return await answer(request, asof, lambda conn: network.coverage(conn, asof, district))


@router.get("/income", response_model=S.Income, summary="收入：达到20万元的村（按年）、农民收入增幅对比全市 / income")
async def income_figures(request: Request, asof: AsOfDep, district: District = None) -> Response:
    return await answer(request, asof, lambda conn: income.income(conn, asof, district))


@router.get("/money", response_model=S.Money, summary="资金：下达、分配、拨付、拨付率、待审批 / money by source, district and task")
async def money_figures(request: Request, asof: AsOfDep, district: District = None) -> Response:
    return await answer(request, asof, lambda conn: money.money(conn, asof, district))


@router.get("/money/villages", response_model=S.MoneyVillages, summary="资金：按村 / money by village")
async def money_by_village(request: Request, asof: AsOfDep, district: District = None) -> Response:
    async def build(conn) -> dict:
        return {"unit": "元 / yuan", "villages": await money.villages(conn, asof, district)}
    return await answer(request, asof, build)


@router.get("/projects", response_model=S.Projects, summary="项目：按行动与任务的计划/实施/完成、逾期节点 / projects by action and task")
async def project_figures(request: Request, asof: AsOfDep, district: District = None) -> Response:
    return await answer(request, asof, lambda conn: projects.projects(conn, asof, district))


@router.get("/low-income", response_model=S.LowIncome, summary="低收入人口保障：应保与已保（按类别）/ low-income protection")
async def low_income_figures(request: Request, asof: AsOfDep, district: District = None) -> Response:
    return await answer(request, asof, lambda conn: low_income.low_income(conn, asof, district))


@router.get("/low-income/gaps", response_model=S.Gaps, summary="应保未保清单（按村计数）/ the gap list: counts by village")
async def low_income_gaps(request: Request, asof: AsOfDep, district: District = None) -> Response:
    async def build(conn) -> dict:
        return {"villages": await low_income.gaps(conn, asof, district)}
    return await answer(request, asof, build)


@router.get("/cadres", response_model=S.Cadres, summary="驻村干部：在岗、驻村天数、休假、参保、补助（汇总）/ cadres, aggregates only")
async def cadre_figures(request: Request, asof: AsOfDep, district: District = None) -> Response:
    return await answer(request, asof, lambda conn: cadres.cadres(conn, asof, district))


@router.get("/assessment", response_model=S.Assessment, summary="年度考核：工作队、单位、区的得分与等次 / published assessments")
async def assessment_results(
    request: Request, asof: AsOfDep,
    year: Annotated[int | None, Query(ge=2021, le=2100, description="年度 / year (default: latest)")] = None,
) -> Response:
    return await answer(request, asof, lambda conn: assessment.assessment(conn, asof, year))
