"""统计事实 / the statistics' read model: dated facts from every service's log.

Besides the facts it keeps each screening run's ranked list (``stats.ranked``) and the
change feed (``stats.changes``): one row per applied event, numbered in apply order, that
the live feed hands to clients; it is written in the same transaction as the facts, so a
client resuming after change N misses nothing.
"""

from __future__ import annotations

import asyncpg

from shared.eventstore import RecordedEvent

from services.publicity.projections.facts import facts_of
from services.publicity.projections.watermark import Watermarked

RANKED_COLUMNS = ("run_id", "code", "district", "rank", "average_fen", "income_fen", "designated", "position")


class StatisticsProjection(Watermarked):
    name = "statistics"
    sources = ("registry", "funding", "assessment")
    model_tables = ("stats.facts", "stats.ranked", "stats.changes")
    model_sql = """
    create schema if not exists stats;
    create table if not exists stats.facts (
        source      text not null,
        position    bigint not null,
        seq         integer not null,
        kind        text not null,
        key         text not null,
        at          timestamptz not null,
        event_id    uuid not null,
        event_type  text not null,
        district    text,
        village     text,
        value       jsonb not null,
        primary key (source, position, seq)
    );
    create index if not exists facts_latest on stats.facts (kind, key, at desc, position desc);
    create index if not exists facts_village on stats.facts (village, kind);
    create table if not exists stats.ranked (
        run_id       text not null,
        code         text not null,
        district     text not null,
        rank         integer not null,
        average_fen  bigint not null,
        income_fen   jsonb not null,
        designated   boolean not null,
        position     bigint not null,
        primary key (run_id, code)
    );
    create index if not exists ranked_rank on stats.ranked (run_id, rank);
    create table if not exists stats.changes (
        seq          bigint generated always as identity primary key,
        source       text not null,
        position     bigint not null,
        event_type   text not null,
        kinds        text[] not null,
        district     text,
        village      text,
        occurred_at  timestamptz not null,
        recorded_at  timestamptz not null
    );
    """

    async def apply_event(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        facts = facts_of(event.type, event.payload)
        if event.type == "ScreeningCompleted":
            await self._ranked(conn, event)
        if not facts:
            return
        position = event.global_position or 0
        await conn.executemany(
            """insert into stats.facts (source, position, seq, kind, key, at, event_id, event_type,
                                        district, village, value)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
            [(event.source, position, i, f.kind, f.key, event.occurred_at, event.event_id, event.type,
              f.district, f.village, f.value) for i, f in enumerate(facts)],
        )
        first = facts[0]
        await conn.execute(
            """insert into stats.changes (source, position, event_type, kinds, district, village,
                                          occurred_at, recorded_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8)""",
            event.source, position, event.type, sorted({f.kind for f in facts}), first.district, first.village,
            event.occurred_at, event.recorded_at,
        )

    async def _ranked(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.payload
        designated = set(p.get("designated") or ())
        await conn.executemany(
            f"insert into stats.ranked ({', '.join(RANKED_COLUMNS)}) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            [(p["run_id"], r["code"], r["district"], r["rank"], r["average_fen"], r.get("income_fen", {}),
              r["code"] in designated, event.global_position or 0) for r in p.get("ranked", ())],
        )
