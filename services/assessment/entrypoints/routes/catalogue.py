"""任务目录 / the catalogue of five actions and 19 tasks, versioned."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from shared.http.auth import Principal, require
from shared.http.deps import IdempotencyKey, Meta, Store

from services.assessment.domain.catalogue import IssueCatalogue, TaskCatalogue
from services.assessment.entrypoints.routes.common import AsOfDay, Reader, run
from services.assessment.handlers import catalogue as catalogue_handlers

router = APIRouter(prefix="/catalogue", tags=["任务目录 task catalogue"])


async def _load(store) -> TaskCatalogue:
    return TaskCatalogue.rehydrate(TaskCatalogue.KEY, (e.decode() for e in await store.read_stream(None, "catalogue")))


@router.get("", summary="某日生效的任务目录 / the catalogue in force on a day",
            responses={404: {"description": "该日尚无生效目录 / no catalogue in force on that day"}})
async def in_force(store: Store, _: Reader, as_of: AsOfDay) -> dict:
    version = (await _load(store)).in_force(as_of)
    return {"as_of": as_of.isoformat(), **version.model_dump(mode="json")}


@router.get("/history", summary="任务目录的全部版本 / every version of the catalogue")
async def history(store: Store, _: Reader) -> dict:
    return {"versions": [v.model_dump(mode="json") for v in (await _load(store)).versions]}


@router.post("/versions", status_code=201, summary="发布新版任务目录（市办）/ issue a new catalogue version (city office)",
             responses={409: {"description": "与现行目录相同 / identical to the catalogue in force"}})
async def issue(cmd: IssueCatalogue, store: Store, meta: Meta, response: Response,
                _: Annotated[Principal, Depends(require())], idempotency_key: IdempotencyKey = None) -> dict:
    return await run(store, "IssueCatalogue", cmd, meta, lambda uow: catalogue_handlers.issue_catalogue(uow, cmd),
                     idempotency_key, response)
