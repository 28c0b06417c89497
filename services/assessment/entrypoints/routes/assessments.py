"""年度考核 / rubrics, marks, computation, review and publication."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.http.auth import Role
from shared.http.command_routes import CommandRoutes
from shared.http.deps import Store

from services.assessment.config import assessment_settings
from services.assessment.domain.assessment import (
    Assessment,
    ComputeAssessment,
    PublishAssessment,
    RecordMark,
    ReviewAssessment,
)
from services.assessment.domain.rubric import DefineRubric
from services.assessment.entrypoints.deps import Assessor, CityOffice, Pool, Reader, Run
from services.assessment.handlers import assessments as views
from services.assessment.handlers.access import ensure_city_level
from services.assessment.entrypoints.schemas import (
    AssessmentPublishedView,
    AssessmentReviewView,
    AssessmentState,
    ComputationView,
    FactsStatus,
    MarkRecordedView,
    PublishedResults,
    RubricView,
)
from services.assessment.queries import assessments as queries
from services.assessment.queries.streams import aggregate

router = APIRouter(tags=["年度考核 annual assessment"])
Year = Annotated[int, Path(ge=2021, le=2100, description="考核年度 / year")]
writes = CommandRoutes(router.post, Run, Assessor, year=Year)


@router.put("/rubrics/{year}", summary="制定或修订年度考核细则（市办）/ define or revise a year's rubric (city office)")
async def define(year: Year, cmd: DefineRubric, _: CityOffice, run: Run) -> RubricView:
    return await run(cmd, year=year)


@router.get("/rubrics/{year}", summary="年度考核细则（现行版）/ the rubric in force for a year")
async def rubric(year: Year, store: Store, _: Reader) -> RubricView:
    return views.rubric_view(await queries.rubric(store, year))


writes.add("/assessments/{year}/marks", RecordMark, MarkRecordedView, name="mark", status_code=201,
           summary="考核组评分 / an assessor's mark for a subject")


@router.post("/assessments/{year}/compute",
             summary="计算考核得分（同一截止日重算结果不变）/ compute the scores (re-running a day gives the same)",
             responses={503: {"description": "考核事实尚未追上该次计算的截止点，稍后重试 / the facts have not yet caught "
                                             "up with the recorded cut-off: retry after Retry-After seconds"}})
async def compute(year: Year, cmd: ComputeAssessment, store: Store, principal: Assessor, run: Run) -> ComputationView:
    ensure_city_level(principal, field="as_of")  # before waiting: a refusal need not wait for the facts
    await queries.wait_for_facts(store, year, cmd, assessment_settings().facts_wait_seconds)
    return await run(cmd, principal, year=year)


writes.add("/assessments/{year}/review", ReviewAssessment, AssessmentReviewView, name="review",
           summary="复核（非计算人）/ review the latest computation (someone else)")


@router.post("/assessments/{year}/publish", summary="发布考核结果（市办）/ publish the results (city office)")
async def publish(year: Year, cmd: PublishAssessment, _: CityOffice, run: Run) -> AssessmentPublishedView:
    return await run(cmd, year=year)


@router.get("/assessments/{year}", summary="年度考核状态与最近一次结果 / a year's assessment and its latest results",
            description="考核人员与市办看到未发布的结果与评分人；其他人只看到已发布的结果 / assessors and the "
                        "city office see unpublished results and who gave each mark; others only published results")
async def assessment(year: Year, store: Store, principal: Reader) -> AssessmentState | PublishedResults:
    found = await aggregate(store, Assessment, str(year))
    if principal.role in (Role.city_office, Role.assessor):
        return AssessmentState.model_validate(views.assessment_view(found))
    return PublishedResults.model_validate(views.published_view(found))


@router.get("/facts/status", summary="考核事实读模型的进度 / how far the facts read model is, per source")
async def facts_status(pool: Pool, _: Reader) -> FactsStatus:
    async with pool.acquire() as conn:
        return await queries.facts_status(conn)
