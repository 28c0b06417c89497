"""公示 / public notices: the designated-village list with its publication window."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, HTTPException, Path, Response, status

from shared.http.auth import Principal, require
from shared.http.deps import IdempotencyKey, Meta, Store, get_pool
from shared.reference.places import DISTRICTS

from services.publicity import handlers
from services.publicity.domain.asof import BEIJING
from services.publicity.domain.commands import ID, PublishNotice

router = APIRouter(prefix="/notices", tags=["公示 notices"])
Pool = Annotated[asyncpg.Pool, Depends(get_pool)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="发布公示（薄弱村名单）/ publish the designated list",
             responses={409: {"description": "编号已用 / notice id used"}})
async def publish(
    cmd: PublishNotice, store: Store, meta: Meta, response: Response,
    _: Annotated[Principal, Depends(require())], idempotency_key: IdempotencyKey = None,
) -> dict:
    done = await store.execute("PublishNotice", cmd.model_dump(mode="json"), meta,
                               lambda uow: handlers.publish_notice(uow, cmd), idempotency_key)
    if done.replayed:
        response.status_code = status.HTTP_200_OK
    return done.result


def _state(row, today) -> str:
    if today < row["window_from"]:
        return "upcoming"
    return "open" if today <= row["window_to"] else "closed"


def _notice(row, today) -> dict:
    return {"notice_id": row["notice_id"], "kind": row["kind"], "title": row["title"], "run_id": row["run_id"],
            "window_from": row["window_from"].isoformat(), "window_to": row["window_to"].isoformat(),
            "state": _state(row, today), "villages": len(row["village_codes"]),
            "published_at": row["published_at"].isoformat()}


@router.get("", summary="公示列表（含公示期状态）/ notices with their window's state")
async def list_notices(pool: Pool) -> dict:
    today = datetime.now(BEIJING).date()
    async with pool.acquire() as conn:
        rows = await conn.fetch("select * from pub.notices order by published_at desc, notice_id")
    return {"items": [_notice(r, today) for r in rows]}


@router.get("/{notice_id}", summary="公示详情：名单 / a notice and its village list")
async def notice(pool: Pool, notice_id: Annotated[str, Path(pattern=ID)]) -> dict:
    async with pool.acquire() as conn:
        row = await conn.fetchrow("select * from pub.notices where notice_id = $1", notice_id)
        if row is None:
            raise HTTPException(404, detail=[{"loc": ["path", "notice_id"], "type": "not_found",
                                              "msg": f"未找到公示 / no notice {notice_id}"}])
        villages = await conn.fetch(
            """select c.code, v.name, v.district, v.town, r.rank, r.average_fen
               from jsonb_array_elements_text($1::jsonb) with ordinality c(code, n)
               left join stats.villages v on v.code = c.code
               left join stats.ranked r on r.run_id = $2 and r.code = c.code
               order by c.n""",
            row["village_codes"], row["run_id"],
        )
    from shared.money import yuan

    return _notice(row, datetime.now(UTC).astimezone(BEIJING).date()) | {"list": [
        {"code": v["code"], "name": v["name"], "district": v["district"],
         "district_name": DISTRICTS.get(v["district"]), "town": v["town"], "rank": v["rank"],
         "average_yuan": yuan(v["average_fen"]) if v["average_fen"] is not None else None}
        for v in villages]}
