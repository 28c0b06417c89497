"""公示 / publishing the designated-village list as a notice."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import DomainError

from services.publicity.domain.commands import PublishNotice
from services.publicity.domain.publications import Notice
from services.publicity.handlers.ports import directory


async def publish_notice(uow: UnitOfWork, cmd: PublishNotice) -> dict:
    """Without a list, the notice lists the run's designated villages, or today's designated ones."""
    heard = directory(uow)
    if cmd.run_id is not None and not await heard.run_exists(cmd.run_id):
        raise DomainError(f"未知的筛查批次 / unknown screening run {cmd.run_id!r}", field="run_id")
    codes = cmd.village_codes
    if codes is None:
        codes = await (heard.run_designated(cmd.run_id) if cmd.run_id is not None else heard.designated_now())
    if not codes:
        raise DomainError("没有可公示的村 / no villages to list", field="village_codes")
    unknown = await heard.unregistered(codes)
    if unknown:
        raise DomainError(f"未登记的村 / villages not registered: {unknown[:5]}", field="village_codes")
    notice = await uow.load(Notice, cmd.notice_id)
    notice.publish(cmd, codes, cmd.run_id, await heard.drawn_now())
    await uow.save(notice)
    return {"notice_id": cmd.notice_id, "villages": len(codes)}
