"""任务目录 / the catalogue of five actions and 19 tasks, versioned."""

from __future__ import annotations

from fastapi import APIRouter

from shared.http.deps import Store

from services.assessment.domain.catalogue import IssueCatalogue, TaskCatalogue
from services.assessment.entrypoints.deps import AsOfDay, CityOffice, Reader, Run
from services.assessment.entrypoints.schemas import CatalogueHistory, CatalogueInForce, CatalogueIssued
from services.assessment.queries.streams import aggregate

router = APIRouter(prefix="/catalogue", tags=["任务目录 task catalogue"])


@router.get("", summary="某日生效的任务目录 / the catalogue in force on a day",
            responses={404: {"description": "该日尚无生效目录 / no catalogue in force on that day"}})
async def in_force(store: Store, _: Reader, as_of: AsOfDay) -> CatalogueInForce:
    version = (await aggregate(store, TaskCatalogue, TaskCatalogue.KEY)).in_force(as_of)
    return {"as_of": as_of.isoformat(), **version.model_dump(mode="json")}


@router.get("/history", summary="任务目录的全部版本 / every version of the catalogue")
async def history(store: Store, _: Reader) -> CatalogueHistory:
    catalogue = await aggregate(store, TaskCatalogue, TaskCatalogue.KEY)
    return {"versions": [v.model_dump(mode="json") for v in catalogue.versions]}


@router.post("/versions", status_code=201, summary="发布新版任务目录（市办）/ issue a new catalogue version (city office)",
             responses={409: {"description": "与现行目录相同 / identical to the catalogue in force"}})
async def issue(cmd: IssueCatalogue, _: CityOffice, run: Run) -> CatalogueIssued:
    return await run(cmd)
