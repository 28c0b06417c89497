"""村档案 / a village's whole story, public."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from services.publicity.entrypoints import schemas as S
from services.publicity.entrypoints.routes.caching import Rendered, cached, json_answer
from services.publicity.entrypoints.routes.common import VILLAGE_CODE, AsOfDep, answer
from services.publicity.queries import story

router = APIRouter(prefix="/stats/villages", tags=["村档案 village stories"])


@router.get("", response_model=S.VillageSearch, summary="查找村 / search villages by name, town or code")
async def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=40, description="村名、镇名或代码 / name, town or code")],
    limit: Annotated[int, Query(ge=1, le=100, description="最多 / at most")] = 20,
) -> Response:
    async def render(conn, _shown) -> Rendered:
        return json_answer({"items": await story.search(conn, q.strip(), limit)}, restate=False)
    return await cached(request, render, asof=None, now=False)


@router.get("/{code}", response_model=S.VillageStory, summary="一村一档（截至某日）/ a village's whole story as of a date")
async def village_story(
    request: Request, asof: AsOfDep,
    code: Annotated[str, Path(pattern=VILLAGE_CODE, description="村代码 / village code")],
) -> Response:
    async def build(conn) -> dict:
        found = await story.story(conn, code, asof)
        if found is None:
            raise HTTPException(404, detail=[{"loc": ["path", "code"], "type": "not_found",
                                              "msg": f"截至该日未登记村 {code} / no village {code} as of that date"}])
        return {"village": found}
    return await answer(request, asof, build)
