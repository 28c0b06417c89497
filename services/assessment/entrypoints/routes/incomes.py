"""收入报告 / income reports and the income checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from shared.http.command_routes import CommandRoutes

from services.assessment.config import assessment_settings
from services.assessment.domain.incomes import ReportCityIncome, ReportVillageIncome, ReviewIncomeReport
from services.assessment.entrypoints.deps import (
    AsOfDay,
    Assessor,
    CityOffice,
    District,
    Pool,
    Run,
    Scoped,
    VillageCodePath,
    VillageSide,
)
from services.assessment.entrypoints.schemas import (
    CityIncomeReportedView,
    FlaggedIncomes,
    IncomeChecks,
    IncomeReviewedView,
    VillageIncomeReportedView,
)
from services.assessment.queries import incomes as queries

router = APIRouter(prefix="/incomes", tags=["收入 incomes"])
IncomeYear = Annotated[int, Path(ge=2018, le=2100)]
writes = CommandRoutes(router.post, Run, Assessor, village_code=VillageCodePath, year=IncomeYear)


@router.post("/villages", status_code=201,
             summary="村收入年报：集体经营性收入、农民人均可支配收入 / a village's incomes for a year",
             responses={422: {"description": "负数，或较上年变动过大且无说明 / negative, or a large change without a note"}})
async def report_village(cmd: ReportVillageIncome, principal: VillageSide, run: Run) -> VillageIncomeReportedView:
    return await run(cmd, principal, assessment_settings().income_jump_factor)


writes.add("/villages/{village_code}/{year}/review", ReviewIncomeReport, IncomeReviewedView, name="review_village",
           summary="复核被标记的收入报告：认可或不予认可（复核人≠填报人）/ review a flagged income report: accept or "
                   "reject (not by its reporter)",
           responses={403: {"description": "填报人本人复核 / the reporter reviewing their own report"},
                      404: {"description": "没有该年的报告 / no report of the year"},
                      409: {"description": "未被标记或已复核 / not flagged, or already reviewed"}})


@router.post("/city", status_code=201,
             summary="全市农民人均可支配收入及增幅（市办）/ the city's per-capita income and growth (city office)")
async def report_city(cmd: ReportCityIncome, _: CityOffice, run: Run) -> CityIncomeReportedView:
    return await run(cmd)


@router.get("/{year}/checks",
            summary="收入核查：是否达到20万元、增幅是否高于全市 / checks: 200,000 yuan reached, growth above the city")
async def checks(year: IncomeYear, pool: Pool, scope: Scoped, as_of: AsOfDay, district: District = None,
                 designated_only: Annotated[bool, Query(description="仅经济薄弱村（否则为有填报的村）/ weak villages "
                                                                    "only (else every village that reported)")] = True,
                 ) -> IncomeChecks:
    async with pool.acquire() as conn:
        return await queries.checks(conn, year, as_of, district, designated_only, scope)


@router.get("/flagged", summary="被标记待复核的收入报告 / income reports flagged for review")
async def flagged(pool: Pool, scope: Scoped, year: Annotated[int | None, Query(ge=2018, le=2100)] = None,
                  district: District = None) -> FlaggedIncomes:
    async with pool.acquire() as conn:
        return {"items": await queries.flagged(conn, year, district, scope)}
