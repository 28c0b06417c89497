"""村名录 / the villages every statistic counts, by district."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.eventstore import RecordedEvent

from services.publicity.projections.watermark import Watermarked

COLUMNS = ("code", "name", "district", "town", "village_type", "avg_income_fen", "registered_at", "event_id", "position")


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

    async def apply_events(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        rows = []
        for event in events:
            if event.type == "VillageRegistered":
                p = event.payload
                incomes = p["income_fen"].values()
                rows.append((p["code"], p["name"], p["district"], p["town"], p["village_type"],
                             sum(incomes) // len(incomes), event.occurred_at, event.event_id, event.global_position))
        if rows:
            # COPY: the cheapest way in for rows; a code registered twice fails the batch as an insert would.
            await conn.copy_records_to_table("villages", schema_name="stats", columns=COLUMNS, records=rows)
