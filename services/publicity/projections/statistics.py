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

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        # One statement per event (facts, change row, watermark): the batch's transaction stays
        # short, and a writing transaction holds back every relay's sequencer on the cluster.
        facts = facts_of(event.type, event.payload)
        if event.type == "ScreeningCompleted":
            await self._ranked(conn, event)
        first = facts[0] if facts else None
        await conn.execute(
            f"""with facts as (
                    insert into stats.facts (source, position, seq, kind, key, at, event_id, event_type,
                                             district, village, value)
                    select $1, $2, f.seq, f.kind, f.key, $3, $4, $5, f.district, f.village, f.value
                    from unnest($6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[])
                         as f(seq, kind, key, district, village, value)),
                change as (
                    insert into stats.changes (source, position, event_type, kinds, district, village,
                                               occurred_at, recorded_at)
                    select $1, $2, $5, $12, $13, $14, $3, $15 where cardinality($7::text[]) > 0)
                insert into {self.watermark_table} (source, position, occurred_at, recorded_at)
                values ($1, $2, $3, $15)
                on conflict (source) do update set position = excluded.position,
                    occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at
                where {self.watermark_table}.position < excluded.position""",
            event.source, event.global_position or 0, event.occurred_at, event.event_id, event.type,
            list(range(len(facts))), [f.kind for f in facts], [f.key for f in facts],
            [f.district for f in facts], [f.village for f in facts], [f.value for f in facts],
            sorted({f.kind for f in facts}), first.district if first else None, first.village if first else None,
            event.recorded_at,
        )

    async def _ranked(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.payload
        designated = set(p.get("designated") or ())
        await conn.executemany(
            f"insert into stats.ranked ({', '.join(RANKED_COLUMNS)}) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            [(p["run_id"], r["code"], r["district"], r["rank"], r["average_fen"], r.get("income_fen", {}),
              r["code"] in designated, event.global_position or 0) for r in p.get("ranked", ())],
        )
