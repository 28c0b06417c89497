"""公示与报道 / notices and reports as the public and the editors read them (from publicity.events)."""

from __future__ import annotations

import asyncpg

from shared.eventstore import RecordedEvent

from services.publicity.projections.watermark import Watermarked


class PublicationsProjection(Watermarked):
    name = "publications"
    sources = ("publicity",)
    model_tables = ("pub.notices", "pub.reports")
    model_sql = """
    create schema if not exists pub;
    create table if not exists pub.notices (
        notice_id     text primary key,
        kind          text not null,
        title         text not null,
        run_id        text,
        window_from   date not null,
        window_to     date not null,
        village_codes jsonb not null,
        published_at  timestamptz not null,
        event_id      uuid not null,
        position      bigint not null
    );
    create table if not exists pub.reports (
        report_id     text primary key,
        village_code  text,
        title         text not null,
        body          text not null,
        figures       jsonb not null,
        images        jsonb not null,
        status        text not null,
        channels      jsonb not null default '[]',
        published_on  date,
        return_reason text,
        updated_at    timestamptz not null,
        position      bigint not null
    );
    create index if not exists reports_status on pub.reports (status, published_on);
    """

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p, t = event.payload, event.type
        if t == "NoticePublished":
            await conn.execute(
                """insert into pub.notices (notice_id, kind, title, run_id, window_from, window_to, village_codes,
                                            published_at, event_id, position)
                   values ($1, $2, $3, $4, $5::text::date, $6::text::date, $7, $8, $9, $10)""",
                p["notice_id"], p["kind"], p["title"], p.get("run_id"), p["window_from"], p["window_to"],
                p["village_codes"], event.occurred_at, event.event_id, event.global_position,
            )
        elif t in ("ReportDrafted", "ReportRevised"):
            await conn.execute(
                """insert into pub.reports (report_id, village_code, title, body, figures, images, status,
                                            updated_at, position)
                   values ($1, $2, $3, $4, $5, $6, 'draft', $7, $8)
                   on conflict (report_id) do update set village_code = excluded.village_code,
                       title = excluded.title, body = excluded.body, figures = excluded.figures,
                       images = excluded.images, status = 'draft', return_reason = null,
                       updated_at = excluded.updated_at, position = excluded.position""",
                p["report_id"], p.get("village_code"), p["title"], p["body"], p.get("figures", []),
                p.get("images_sha256", []), event.occurred_at, event.global_position,
            )
        elif t in ("ReportSubmitted", "ReportReturned", "ReportPublished", "ReportWithdrawn"):
            status = {"ReportSubmitted": "in_review", "ReportReturned": "returned",
                      "ReportPublished": "published", "ReportWithdrawn": "withdrawn"}[t]
            await conn.execute(
                """update pub.reports set status = $2, updated_at = $3, position = $4,
                       return_reason = case when $2 = 'returned' then $5 else return_reason end,
                       channels = case when $2 = 'published' then $6 else channels end,
                       published_on = case when $2 = 'published' then $7::text::date else published_on end
                   where report_id = $1""",
                p["report_id"], status, event.occurred_at, event.global_position, p.get("reason"),
                p.get("channels", []), p.get("published_on"),
            )
