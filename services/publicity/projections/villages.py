"""村名录 / the villages every statistic counts, by district."""

from __future__ import annotations

import asyncpg

from shared.eventstore import RecordedEvent

from services.publicity.projections.watermark import Watermarked


class VillagesProjection(Watermarked):
    name = "villages"
    sources = ("registry",)
    model_tables = ("stats.villages",)
    model_sql = """
    create schema if not exists stats;
    create table if not exists stats.villages (
        code            text primary key,
        name            text not null,
        district        text not null,
        town            text not null,
        village_type    text not null,
        avg_income_fen  bigint not null,
        registered_at   timestamptz not null,
        event_id        uuid not null,
        position        bigint not null
    );
    create index if not exists villages_district on stats.villages (district);
    create index if not exists villages_name on stats.villages (name);
    """

    async def apply_event(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        if event.type == "VillageRegistered":
            p = event.payload
            incomes = p["income_fen"].values()
            await conn.execute(
                """insert into stats.villages (code, name, district, town, village_type,
                       avg_income_fen, registered_at, event_id, position)
                   values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
                p["code"], p["name"], p["district"], p["town"], p["village_type"],
                sum(incomes) // len(incomes), event.occurred_at, event.event_id, event.global_position,
            )
