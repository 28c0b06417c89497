"""专题报道 / featured reports: draft → review → published, with channels; published ones are public."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status

from shared.http.auth import Principal, ensure_district
from shared.identity import Reach
from shared.money import yuan

from services.publicity.domain.asof import drawn_at
from services.publicity.domain.commands import ID, DraftReport, PublishReport, ReturnReport, ReviseReport, SubmitReport
from services.publicity.entrypoints.deps import Author, CityOffice, Pool, Run, not_found
from services.publicity.entrypoints.reader import disclosure_for
from services.publicity.entrypoints.routes.common import snapshot
from services.publicity.entrypoints.schemas import EditorialList, PublishedReport, ReportList, ReportState
from services.publicity.queries import publications
from services.publicity.queries.facts_sql import as_known_at
from services.publicity.queries.figures import Scope, total
from services.publicity.queries.metrics import CATALOGUE
from services.publicity.queries.positions import log_positions

router = APIRouter(prefix="/reports", tags=["专题报道 reports"])
ReportId = Annotated[str, Path(pattern=ID, description="报道编号 / report id")]


def _scope(principal: Principal, village_code: str | None) -> None:
    if Reach.of(principal).district is not None:  # a district's author drafts about its villages
        ensure_district(principal, (village_code or "")[:6])


@router.post("", status_code=status.HTTP_201_CREATED, summary="起草报道 / draft a report")
async def draft(cmd: DraftReport, who: Author, run: Run) -> ReportState:
    _scope(who, cmd.village_code)
    return await run(cmd, who.subject)


@router.put("/{report_id}", summary="修改报道 / revise a draft or returned report")
async def revise(report_id: ReportId, cmd: DraftReport, who: Author, run: Run) -> ReportState:
    if cmd.report_id != report_id:
        raise HTTPException(422, detail=[{"loc": ["body", "report_id"], "type": "value_error",
                                          "msg": "与路径中的编号不一致 / differs from the path"}])
    _scope(who, cmd.village_code)
    return await run(ReviseReport(**cmd.model_dump()), who.subject)


@router.post("/{report_id}/submit", summary="提交审核 / submit for review")
async def submit(report_id: ReportId, who: Author, run: Run) -> ReportState:
    # No body, as ever: whatever a client sends with it is not read.
    return await run(SubmitReport(), who.subject, report_id=report_id)


@router.post("/{report_id}/return", summary="退回修改 / return to the author")
async def return_(report_id: ReportId, cmd: ReturnReport, _: CityOffice, run: Run) -> ReportState:
    return await run(cmd, report_id=report_id)


@router.post("/{report_id}/publish", summary="审核通过并发布 / approve and publish on channels")
async def publish(report_id: ReportId, cmd: PublishReport, _: CityOffice, run: Run) -> ReportState:
    return await run(cmd, report_id=report_id)


@router.get("", summary="已发布的报道 / published reports")
async def published(pool: Pool) -> ReportList:
    async with pool.acquire() as conn:
        return {"items": await publications.published_reports(conn)}  # type: ignore[return-value]


@router.get("/editorial", summary="编辑中的报道（草稿、待审、退回）/ reports being edited")
async def editorial(pool: Pool, who: Author) -> EditorialList:
    """The city office reads every report being edited; an author their own, a district
    official also those about their district's villages."""
    reach = Reach.of(who)
    author = None if reach.city_wide else who.subject
    async with pool.acquire() as conn:
        return {"items": await publications.editorial_reports(conn, author, reach.district)}  # type: ignore[return-value]


@router.get("/{report_id}", summary="报道全文，数字按发布时所取 / a published report, its figures as drawn when published")
async def read(request: Request, pool: Pool, report_id: ReportId) -> PublishedReport:
    rule = await disclosure_for(request)
    async with snapshot(pool) as conn:
        row = await publications.published_report(conn, report_id)
        if row is None:
            raise not_found(["path", "report_id"], f"未找到已发布的报道 / no published report {report_id}")
        # As of the instant it was published and as known at the log positions then: a correction
        # back-dated before it does not change what it said (reports published before v2: live).
        asof = drawn_at(row["drawn_as_of"], row["known_at"], datetime.now(UTC))
        known = as_known_at(conn, asof.known)
        scope = Scope(village=row["village_code"]) if row["village_code"] else Scope()
        figures = []
        for name in row["figures"]:
            m = CATALOGUE.get(name)
            if m is None:
                continue
            value = await total(known, name, asof, scope)
            figure = {"metric": name, "zh": m.zh, "en": m.en, "value": yuan(value) if m.unit == "fen" else int(value)}
            figures.append(figure if rule is None else rule.figure(figure, m.unit))
        positions = await log_positions(conn, asof.known)
    return publications.public_report(row) | {  # type: ignore[return-value]
        "body": row["body"], "figures": figures, "as_of": asof.text, "log_positions": positions,
        "images": [f"/images/{h}" for h in row["images"]]}
