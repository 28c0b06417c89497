"""Publicity's service layer: one function per command, each in one unit of work."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from shared.contracts.publicity import ImageUploaded
from shared.eventstore import Aggregate, UnitOfWork
from shared.eventstore.errors import DomainError

from services.publicity.domain.commands import DraftReport, PublishNotice, PublishReport, ReturnReport, ReviseReport
from services.publicity.domain.publications import Notice, Report
from services.publicity.queries.facts_sql import DESIGNATED
from services.publicity.queries.metrics import CATALOGUE

IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024


async def publish_notice(uow: UnitOfWork, cmd: PublishNotice) -> dict:
    """Without a list, the notice lists the run's designated villages, or today's designated ones."""
    conn = uow.conn
    if cmd.run_id is not None and not await conn.fetchval(
            "select exists (select 1 from stats.ranked where run_id = $1)", cmd.run_id):
        raise DomainError(f"未知的筛查批次 / unknown screening run {cmd.run_id!r}", field="run_id")
    codes = cmd.village_codes
    if codes is None:
        if cmd.run_id is not None:
            codes = [r["code"] for r in await conn.fetch(
                "select code from stats.ranked where run_id = $1 and designated order by rank", cmd.run_id)]
        else:
            codes = [r["village"] for r in await conn.fetch(
                f"select village from {DESIGNATED} d order by village", datetime.now(UTC))]
    if not codes:
        raise DomainError("没有可公示的村 / no villages to list", field="village_codes")
    unknown = [r["c"] for r in await conn.fetch(
        "select c from unnest($1::text[]) c where not exists (select 1 from stats.villages v where v.code = c)",
        codes)]
    if unknown:
        raise DomainError(f"未登记的村 / villages not registered: {unknown[:5]}", field="village_codes")
    notice = await uow.load(Notice, cmd.notice_id)
    notice.publish(cmd, codes, cmd.run_id)
    await uow.save(notice)
    return {"notice_id": cmd.notice_id, "villages": len(codes)}


async def _check_content(uow: UnitOfWork, cmd: DraftReport) -> None:
    unknown = [f for f in cmd.figures if f not in CATALOGUE]
    if unknown:
        raise DomainError(f"未知指标 / unknown metrics {unknown}; see /stats/metrics", field="figures")
    if cmd.images_sha256:
        found = {r["sha256"] for r in await uow.conn.fetch(
            "select sha256 from media.images where sha256 = any($1::text[])", cmd.images_sha256)}
        missing = [h for h in cmd.images_sha256 if h not in found]
        if missing:
            raise DomainError(f"图片未上传 / images not uploaded: {missing[:3]}", field="images_sha256")
    if cmd.village_code and not await uow.conn.fetchval(
            "select exists (select 1 from stats.villages where code = $1)", cmd.village_code):
        raise DomainError(f"未登记的村 / village {cmd.village_code} is not registered", field="village_code")


async def _run(uow: UnitOfWork, aggregate: Aggregate) -> dict:
    await uow.save(aggregate)
    return {"report_id": aggregate.key, "status": aggregate.status, "version": aggregate.version}  # type: ignore[attr-defined]


async def draft_report(uow: UnitOfWork, cmd: DraftReport, author: str) -> dict:
    await _check_content(uow, cmd)
    report = await uow.load(Report, cmd.report_id)
    report.draft(cmd, author)
    return await _run(uow, report)


async def revise_report(uow: UnitOfWork, cmd: ReviseReport, by: str) -> dict:
    await _check_content(uow, cmd)
    report = await uow.load(Report, cmd.report_id)
    report.revise(cmd, by)
    return await _run(uow, report)


async def submit_report(uow: UnitOfWork, report_id: str, by: str) -> dict:
    report = await uow.load(Report, report_id)
    report.submit(by)
    return await _run(uow, report)


async def return_report(uow: UnitOfWork, report_id: str, cmd: ReturnReport) -> dict:
    report = await uow.load(Report, report_id)
    report.return_(cmd)
    return await _run(uow, report)


async def publish_report(uow: UnitOfWork, report_id: str, cmd: PublishReport) -> dict:
    report = await uow.load(Report, report_id)
    report.publish(cmd)
    return await _run(uow, report)


async def upload_image(uow: UnitOfWork, content: bytes, content_type: str) -> dict:
    if content_type not in IMAGE_TYPES:
        raise DomainError(f"仅支持 / only {sorted(IMAGE_TYPES)} images, got {content_type!r}", field="file")
    if not content or len(content) > MAX_IMAGE_BYTES:
        raise DomainError("图片为空或超过 5 MB / image empty or over 5 MB", field="file")
    sha = hashlib.sha256(content).hexdigest()
    inserted = await uow.conn.fetchval(
        """insert into media.images (sha256, content_type, size, content) values ($1, $2, $3, $4)
           on conflict (sha256) do nothing returning true""",
        sha, content_type, len(content), content,
    )
    if inserted:
        image = await uow.load(_Image, sha)
        image.record(ImageUploaded(sha256=sha, content_type=content_type, size=len(content)))
        await uow.save(image)
    return {"sha256": sha, "size": len(content), "content_type": content_type}


class _Image(Aggregate):
    stream_prefix = "image"
