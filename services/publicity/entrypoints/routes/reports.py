"""专题报道 / featured reports: draft → review → published, with channels; published ones are public."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, HTTPException, Path, Response, status

from shared.http.auth import Principal, Role, ensure_district, require
from shared.http.deps import IdempotencyKey, Meta, Store, get_pool

from services.publicity import handlers
from services.publicity.domain.asof import parse_as_of
from services.publicity.domain.commands import CHANNEL_NAMES, ID, DraftReport, PublishReport, ReturnReport, ReviseReport
from shared.money import yuan
from services.publicity.entrypoints.routes.common import snapshot
from services.publicity.queries.figures import Scope, total
from services.publicity.queries.metrics import CATALOGUE

router = APIRouter(prefix="/reports", tags=["专题报道 reports"])
Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
Author = Annotated[Principal, Depends(require(Role.district_official, Role.unit, Role.first_secretary))]
Reviewer = Annotated[Principal, Depends(require())]
ReportId = Annotated[str, Path(pattern=ID, description="报道编号 / report id")]


def _scope(principal: Principal, village_code: str | None) -> None:
    if principal.role is Role.district_official:
        ensure_district(principal, (village_code or "")[:6])


async def _execute(store: Store, name: str, body: dict, meta, fn, key, response: Response) -> dict:
    done = await store.execute(name, body, meta, fn, key)
    if done.replayed:
        response.status_code = status.HTTP_200_OK
    return done.result


@router.post("", status_code=status.HTTP_201_CREATED, summary="起草报道 / draft a report")
async def draft(cmd: DraftReport, store: Store, meta: Meta, who: Author, response: Response,
                idempotency_key: IdempotencyKey = None) -> dict:
    _scope(who, cmd.village_code)
    return await _execute(store, "DraftReport", cmd.model_dump(mode="json"), meta,
                          lambda uow: handlers.draft_report(uow, cmd, who.subject), idempotency_key, response)


@router.put("/{report_id}", summary="修改报道 / revise a draft or returned report")
async def revise(report_id: ReportId, cmd: DraftReport, store: Store, meta: Meta, who: Author, response: Response,
                 idempotency_key: IdempotencyKey = None) -> dict:
    if cmd.report_id != report_id:
        raise HTTPException(422, detail=[{"loc": ["body", "report_id"], "type": "value_error",
                                          "msg": "与路径中的编号不一致 / differs from the path"}])
    _scope(who, cmd.village_code)
    revised = ReviseReport(**cmd.model_dump())
    return await _execute(store, "ReviseReport", cmd.model_dump(mode="json"), meta,
                          lambda uow: handlers.revise_report(uow, revised, who.subject), idempotency_key, response)


@router.post("/{report_id}/submit", summary="提交审核 / submit for review")
async def submit(report_id: ReportId, store: Store, meta: Meta, who: Author, response: Response,
                 idempotency_key: IdempotencyKey = None) -> dict:
    return await _execute(store, "SubmitReport", {"report_id": report_id}, meta,
                          lambda uow: handlers.submit_report(uow, report_id, who.subject), idempotency_key, response)


@router.post("/{report_id}/return", summary="退回修改 / return to the author")
async def return_(report_id: ReportId, cmd: ReturnReport, store: Store, meta: Meta, _: Reviewer,
                  response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await _execute(store, "ReturnReport", {"report_id": report_id, **cmd.model_dump(mode="json")}, meta,
                          lambda uow: handlers.return_report(uow, report_id, cmd), idempotency_key, response)


@router.post("/{report_id}/publish", summary="审核通过并发布 / approve and publish on channels")
async def publish(report_id: ReportId, cmd: PublishReport, store: Store, meta: Meta, _: Reviewer,
                  response: Response, idempotency_key: IdempotencyKey = None) -> dict:
    return await _execute(store, "PublishReport", {"report_id": report_id, **cmd.model_dump(mode="json")}, meta,
                          lambda uow: handlers.publish_report(uow, report_id, cmd), idempotency_key, response)


def _public(row) -> dict:
    return {"report_id": row["report_id"], "village_code": row["village_code"], "title": row["title"],
            "channels": [{"code": c, "name": CHANNEL_NAMES.get(c, c)} for c in row["channels"]],
            "published_on": row["published_on"].isoformat() if row["published_on"] else None}


@router.get("", summary="已发布的报道 / published reports")
async def published(pool: Pool) -> dict:
    async with pool.acquire() as conn:
        rows = await conn.fetch("""select * from pub.reports where status = 'published'
                                   order by published_on desc, report_id""")
    return {"items": [_public(r) for r in rows]}


@router.get("/editorial", summary="编辑中的报道（草稿、待审、退回）/ reports being edited")
async def editorial(pool: Pool, _: Author) -> dict:
    async with pool.acquire() as conn:
        rows = await conn.fetch("""select report_id, village_code, title, status, return_reason, updated_at
                                   from pub.reports where status <> 'published' order by updated_at desc""")
    return {"items": [dict(r) | {"updated_at": r["updated_at"].isoformat()} for r in rows]}


@router.get("/{report_id}", summary="报道全文，数字实时取自统计 / a published report, figures drawn live")
async def read(pool: Pool, report_id: ReportId) -> dict:
    async with snapshot(pool) as conn:
        row = await conn.fetchrow("select * from pub.reports where report_id = $1 and status = 'published'",
                                  report_id)
        if row is None:
            raise HTTPException(404, detail=[{"loc": ["path", "report_id"], "type": "not_found",
                                              "msg": f"未找到已发布的报道 / no published report {report_id}"}])
        asof = parse_as_of(None, datetime.now(UTC))
        scope = Scope(village=row["village_code"]) if row["village_code"] else Scope()
        figures = []
        for name in row["figures"]:
            m = CATALOGUE.get(name)
            if m is None:
                continue
            value = await total(conn, name, asof, scope)
            figures.append({"metric": name, "zh": m.zh, "en": m.en,
                            "value": yuan(value) if m.unit == "fen" else int(value)})
    return _public(row) | {"body": row["body"], "figures": figures, "as_of": asof.text,
                           "images": [f"/images/{h}" for h in row["images"]]}
