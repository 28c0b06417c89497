"""年度考核 / rubrics, marks, computation, review and publication."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from shared.eventstore import EventStore, NotFound, cursor
from shared.http.auth import Principal, Role, require
from shared.http.deps import IdempotencyKey, Meta, Store

from services.assessment.adapters import facts
from services.assessment.config import assessment_settings
from services.assessment.domain.assessment import (
    Assessment,
    ComputeAssessment,
    PublishAssessment,
    RecordMark,
    ReviewAssessment,
)
from services.assessment.domain.rubric import DefineRubric, Rubric
from services.assessment.entrypoints.routes.common import Pool, Reader, run
from services.assessment.handlers import assessments as handlers
from services.assessment.handlers.access import ensure_city_level

router = APIRouter(tags=["年度考核 annual assessment"])
Year = Annotated[int, Path(ge=2021, le=2100, description="考核年度 / year")]
Assessor = Annotated[Principal, Depends(require(Role.assessor))]
CityOffice = Annotated[Principal, Depends(require())]


async def _assessment(store: EventStore, year: int) -> Assessment:
    return Assessment.rehydrate(str(year), (e.decode() for e in await store.read_stream(None, f"assessment-{year}")))


@router.put("/rubrics/{year}", summary="制定或修订年度考核细则（市办）/ define or revise a year's rubric (city office)")
async def define(year: Year, cmd: DefineRubric, store: Store, meta: Meta, response: Response, _: CityOffice,
                 idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "DefineRubric", {"year": year, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.define_rubric(uow, year, cmd), idempotency_key, response, created=False)


@router.get("/rubrics/{year}", summary="年度考核细则（现行版）/ the rubric in force for a year")
async def rubric(year: Year, store: Store, _: Reader) -> dict:
    found = Rubric.rehydrate(str(year), (e.decode() for e in await store.read_stream(None, f"rubric-{year}")))
    if not found.versions:
        raise NotFound(f"{year} 年尚未制定考核细则 / no rubric for {year}", field="year")
    return handlers.rubric_view(found)


@router.post("/assessments/{year}/marks", status_code=201, summary="考核组评分 / an assessor's mark for a subject")
async def mark(year: Year, cmd: RecordMark, store: Store, meta: Meta, response: Response, principal: Assessor,
               idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RecordMark", {"year": year, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.record_mark(uow, year, cmd, principal), idempotency_key, response)


async def _wait_for_facts(store, year: int, cmd: ComputeAssessment, seconds: float) -> None:
    """Bounded wait before computing: a re-run, until the facts reach the cut-off it recorded;
    a new computation, until the service's own events committed so far reach them (a report
    made a moment ago counts). The handler refuses a re-run the facts are still behind."""
    async with store.pool.acquire() as conn:
        earlier = None if cmd.refresh else (await _assessment(store, year)).computations.get(cmd.as_of)
        target = earlier.cutoff if earlier else {"assessment": await cursor.committed(conn)}
        await facts.wait_until(conn, target, seconds)


@router.post("/assessments/{year}/compute",
             summary="计算考核得分（同一截止日重算结果不变）/ compute the scores (re-running a day gives the same)",
             responses={503: {"description": "考核事实尚未追上该次计算的截止点，稍后重试 / the facts have not yet caught "
                                             "up with the recorded cut-off: retry after Retry-After seconds"}})
async def compute(year: Year, cmd: ComputeAssessment, store: Store, meta: Meta, response: Response,
                  principal: Assessor, idempotency_key: IdempotencyKey = None) -> dict:
    ensure_city_level(principal, field="as_of")  # before waiting: a refusal need not wait for the facts
    await _wait_for_facts(store, year, cmd, assessment_settings().facts_wait_seconds)
    return await run(store, "ComputeAssessment", {"year": year, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.compute(uow, year, cmd, principal), idempotency_key, response,
                     created=False)


@router.post("/assessments/{year}/review", summary="复核（非计算人）/ review the latest computation (someone else)")
async def review(year: Year, cmd: ReviewAssessment, store: Store, meta: Meta, response: Response,
                 principal: Assessor, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "ReviewAssessment", {"year": year, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.review(uow, year, cmd, principal), idempotency_key, response,
                     created=False)


@router.post("/assessments/{year}/publish", summary="发布考核结果（市办）/ publish the results (city office)")
async def publish(year: Year, cmd: PublishAssessment, store: Store, meta: Meta, response: Response, _: CityOffice,
                  idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "PublishAssessment", {"year": year, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.publish(uow, year, cmd), idempotency_key, response, created=False)


@router.get("/assessments/{year}", summary="年度考核状态与最近一次结果 / a year's assessment and its latest results",
            description="考核人员与市办看到未发布的结果与评分人；其他人只看到已发布的结果 / assessors and the "
                        "city office see unpublished results and who gave each mark; others only published results")
async def assessment(year: Year, store: Store, principal: Reader) -> dict:
    found = await _assessment(store, year)
    if principal.role in (Role.city_office, Role.assessor):
        return handlers.assessment_view(found)
    return handlers.published_view(found)


@router.get("/facts/status", summary="考核事实读模型的进度 / how far the facts read model is, per source")
async def facts_status(pool: Pool, _: Reader) -> dict:
    async with pool.acquire() as conn:
        return {"watermarks": await facts.watermarks(conn), "own_log_position": await cursor.sequenced(conn),
                "own_events_committed": await cursor.committed(conn)}
