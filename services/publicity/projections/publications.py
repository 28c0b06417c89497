"""公示与报道 / notices and reports as the public and the editors read them (from publicity.events)."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from shared.contracts import publicity as P
from shared.eventstore import RecordedEvent

from services.publicity.projections.watermark import Watermarked


class PublicationsProjection(Watermarked):
    name = "publications"
    sources = ("publicity",)
    model_tables = ("pub.notices", "pub.reports")

    async def when_NoticePublished(self, conn: asyncpg.Connection, e: P.NoticePublished, recorded: RecordedEvent) -> None:
        await conn.execute(
            """insert into pub.notices (notice_id, kind, title, run_id, window_from, window_to, village_codes,
                                        published_at, event_id, position, drawn_as_of, known_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
            e.notice_id, e.kind, e.title, e.run_id, e.window_from, e.window_to, e.village_codes,
            recorded.occurred_at, recorded.event_id, recorded.global_position, e.drawn_as_of, e.known_at,
        )

    async def when_ReportDrafted(self, conn: asyncpg.Connection, e: P.ReportDrafted | P.ReportRevised,
                                 recorded: RecordedEvent) -> None:
        await conn.execute(
            """insert into pub.reports (report_id, village_code, title, body, figures, images, status,
                                        updated_at, position)
               values ($1, $2, $3, $4, $5, $6, 'draft', $7, $8)
               on conflict (report_id) do update set village_code = excluded.village_code,
                   title = excluded.title, body = excluded.body, figures = excluded.figures,
                   images = excluded.images, status = 'draft', return_reason = null,
                   updated_at = excluded.updated_at, position = excluded.position""",
            e.report_id, e.village_code, e.title, e.body, e.figures, e.images_sha256, recorded.occurred_at,
            recorded.global_position,
        )

    when_ReportRevised = when_ReportDrafted

    async def _status(self, conn: asyncpg.Connection, recorded: RecordedEvent, report_id: str, status: str, *,
                      reason: str | None = None, channels: list[str] | None = None,
                      published_on: date | None = None, drawn_as_of: datetime | None = None,
                      known_at: dict[str, int] | None = None) -> None:
        await conn.execute(
            """update pub.reports set status = $2, updated_at = $3, position = $4,
                   return_reason = case when $2 = 'returned' then $5 else return_reason end,
                   channels = case when $2 = 'published' then $6 else channels end,
                   published_on = case when $2 = 'published' then $7::date else published_on end,
                   drawn_as_of = case when $2 = 'published' then $8::timestamptz end,
                   known_at = case when $2 = 'published' then $9::jsonb end
               where report_id = $1""",
            report_id, status, recorded.occurred_at, recorded.global_position, reason, channels or [], published_on,
            drawn_as_of, known_at,
        )

    async def when_ReportSubmitted(self, conn: asyncpg.Connection, e: P.ReportSubmitted, recorded: RecordedEvent) -> None:
        await self._status(conn, recorded, e.report_id, "in_review")

    async def when_ReportReturned(self, conn: asyncpg.Connection, e: P.ReportReturned, recorded: RecordedEvent) -> None:
        await self._status(conn, recorded, e.report_id, "returned", reason=e.reason)

    async def when_ReportPublished(self, conn: asyncpg.Connection, e: P.ReportPublished, recorded: RecordedEvent) -> None:
        await self._status(conn, recorded, e.report_id, "published", channels=list(e.channels),
                           published_on=e.published_on, drawn_as_of=e.drawn_as_of, known_at=e.known_at)
