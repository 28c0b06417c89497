"""低收入群体保障 / low-income protection: people, eligibility, cover and the gap list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from shared.contracts.assessment import Cover
from shared.http.auth import Principal, Role, require
from shared.http.deps import IdempotencyKey, Meta, Store

from services.assessment.domain.coverage import EndCoverage, RecordCoverage, RecordEligibility, RegisterPerson
from services.assessment.entrypoints.routes.common import AsOfDay, Pool, run
from services.assessment.entrypoints.routes.readers import PersonalScoped
from services.assessment.handlers import coverage as handlers
from services.assessment.queries import coverage as queries

router = APIRouter(prefix="/low-income", tags=["低收入保障 low-income protection"])
Recorder = Annotated[Principal, Depends(require(Role.district_official, Role.first_secretary))]
PersonId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}$", description="化名编号 / pseudonymous id")]


@router.post("/persons", status_code=201, summary="登记低收入人口（化名编号）/ register a person (pseudonymous id)")
async def register(cmd: RegisterPerson, store: Store, meta: Meta, response: Response, principal: Recorder,
                   idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RegisterLowIncomePerson", cmd, meta,
                     lambda uow: handlers.register_person(uow, cmd, principal), idempotency_key, response)


@router.post("/persons/{person_id}/eligibility", summary="认定保障资格 / record eligibility for a cover")
async def eligibility(person_id: PersonId, cmd: RecordEligibility, store: Store, meta: Meta, response: Response,
                      principal: Recorder, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RecordEligibility", {"person_id": person_id, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.record_eligibility(uow, person_id, cmd, principal), idempotency_key,
                     response, created=False)


@router.post("/persons/{person_id}/coverage", status_code=201, summary="落实保障 / record a cover")
async def cover(person_id: PersonId, cmd: RecordCoverage, store: Store, meta: Meta, response: Response,
                principal: Recorder, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "RecordCoverage", {"person_id": person_id, **cmd.model_dump(mode="json")}, meta,
                     lambda uow: handlers.record_coverage(uow, person_id, cmd, principal), idempotency_key, response)


@router.post("/persons/{person_id}/coverage/{cover}/end", summary="保障终止 / a cover ended")
async def end(person_id: PersonId, cover: Cover, cmd: EndCoverage, store: Store, meta: Meta, response: Response,
              principal: Recorder, idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "EndCoverage", {"person_id": person_id, "cover": cover, **cmd.model_dump(mode="json")},
                     meta, lambda uow: handlers.end_coverage(uow, person_id, cover, cmd, principal), idempotency_key,
                     response, created=False)


@router.get("/gaps", summary="应保未保名单（按村）/ the gap list, by village: eligible but not covered")
async def gaps(pool: Pool, scope: PersonalScoped, as_of: AsOfDay,
               district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
               village_code: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None) -> dict:
    async with pool.acquire() as conn:
        return await queries.gaps(conn, as_of, district, village_code, scope)
