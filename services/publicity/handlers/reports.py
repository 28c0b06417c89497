"""专题报道 / a featured report's workflow: draft, revise, submit, return, publish."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import DomainError

from services.publicity.domain.commands import DraftReport, PublishReport, ReturnReport, ReviseReport, SubmitReport
from services.publicity.domain.publications import Report
from services.publicity.handlers.ports import directory, images
from services.publicity.queries.metrics import CATALOGUE


async def _check_content(uow: UnitOfWork, cmd: DraftReport) -> None:
    """Figures from the catalogue; images and village, if named, known."""
    unknown = [f for f in cmd.figures if f not in CATALOGUE]
    if unknown:
        raise DomainError(f"未知指标 / unknown metrics {unknown}; see /stats/metrics", field="figures")
    if cmd.images_sha256:
        found = await images(uow).uploaded(cmd.images_sha256)
        missing = [h for h in cmd.images_sha256 if h not in found]
        if missing:
            raise DomainError(f"图片未上传 / images not uploaded: {missing[:3]}", field="images_sha256")
    if cmd.village_code and not await directory(uow).village_registered(cmd.village_code):
        raise DomainError(f"未登记的村 / village {cmd.village_code} is not registered", field="village_code")


async def _saved(uow: UnitOfWork, report: Report) -> dict:
    await uow.save(report)
    return {"report_id": report.key, "status": report.status, "version": report.version}


async def draft_report(uow: UnitOfWork, cmd: DraftReport, author: str) -> dict:
    await _check_content(uow, cmd)
    report = await uow.load(Report, cmd.report_id)
    report.draft(cmd, author)
    return await _saved(uow, report)


async def revise_report(uow: UnitOfWork, cmd: ReviseReport, by: str) -> dict:
    await _check_content(uow, cmd)
    report = await uow.load(Report, cmd.report_id)
    report.revise(cmd, by)
    return await _saved(uow, report)


async def submit_report(uow: UnitOfWork, _: SubmitReport, by: str, *, report_id: str) -> dict:
    report = await uow.load(Report, report_id)
    report.submit(by)
    return await _saved(uow, report)


async def return_report(uow: UnitOfWork, cmd: ReturnReport, *, report_id: str) -> dict:
    report = await uow.load(Report, report_id)
    report.return_(cmd)
    return await _saved(uow, report)


async def publish_report(uow: UnitOfWork, cmd: PublishReport, *, report_id: str) -> dict:
    """Published with the positions its figures are drawn at: read later, they are the same."""
    report = await uow.load(Report, report_id)
    report.ensure_publishable()  # before reading the database: a refusal needs none
    report.publish(cmd, await directory(uow).drawn_now())
    return await _saved(uow, report)
