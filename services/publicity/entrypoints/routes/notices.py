"""公示 / public notices: the designated-village list with its publication window."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, status

from services.publicity.domain.asof import BEIJING
from services.publicity.domain.commands import ID, PublishNotice
from services.publicity.entrypoints.deps import CityOffice, Pool, Run, not_found
from services.publicity.entrypoints.routes.common import snapshot
from services.publicity.entrypoints.schemas import NoticeDetail, NoticeList, NoticePublishedView
from services.publicity.queries import publications

router = APIRouter(prefix="/notices", tags=["公示 notices"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="发布公示（薄弱村名单）/ publish the designated list",
             responses={409: {"description": "编号已用 / notice id used"}})
async def publish(cmd: PublishNotice, _: CityOffice, run: Run) -> NoticePublishedView:
    return await run(cmd)


@router.get("", summary="公示列表（含公示期状态）/ notices with their window's state")
async def list_notices(pool: Pool) -> NoticeList:
    async with snapshot(pool) as conn:
        now = datetime.now(BEIJING)
        return {"items": await publications.notices(conn, now.date(), now)}  # type: ignore[return-value]


@router.get("/{notice_id}", summary="公示详情：名单（按发布时所知）/ a notice and its village list, as known when published")
async def notice(pool: Pool, notice_id: Annotated[str, Path(pattern=ID)]) -> NoticeDetail:
    async with snapshot(pool) as conn:
        now = datetime.now(BEIJING)
        found = await publications.notice(conn, notice_id, now.date(), now)
    if found is None:
        raise not_found(["path", "notice_id"], f"未找到公示 / no notice {notice_id}")
    return found  # type: ignore[return-value]
