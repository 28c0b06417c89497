"""村名录 / the villages every statistic counts, by district."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import asyncpg

from shared.contracts.registry import VillageRegistered
from shared.eventstore import RecordedEvent

from services.publicity.projections.watermark import Watermarked, as_columns

COLUMNS = ("code", "name", "district", "town", "village_type", "avg_income_fen", "registered_at", "event_id", "position")


SMALL_SQL = f"""with noted as ({{note}})
insert into stats.villages ({", ".join(COLUMNS)})
select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                     $7::timestamptz[], $8::uuid[], $9::bigint[])"""


class VillagesProjection(Watermarked):
    """The register as of now: one row per ``VillageRegistered``, its town and type as last edited
    (``VillageAttributesChanged``; the figures as of a date read those from the facts)."""

    name = "villages"
    copy_from: ClassVar[int] = 200  # COPY's setup (a column query, a protocol exchange) pays off from here
    sources = ("registry",)
    model_tables = ("stats.villages",)

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        # Set-based (COPY or one statement) rather than when_VillageRegistered per event: a rebuild's
        # thousands of registrations go in at once. The rows come from the decoded events all the same.
        rows = [self.row(event.decode(), event) for event in events if event.type == "VillageRegistered"]
        if len(rows) >= self.copy_from:
            # COPY: the cheapest way in for many rows; a code registered twice fails the batch as an insert would.
            await conn.copy_records_to_table("villages", schema_name="stats", columns=COLUMNS, records=rows)
            await self.note_applied(conn, events)
        elif events:  # the live worker's few: rows and note in one statement
            await conn.execute(SMALL_SQL.format(note=self.note_sql(first=len(COLUMNS) + 1)),
                               *as_columns(rows, len(COLUMNS)),
                               *self.note_params(events))
        # After the batch's registrations, in log order: a village registered and edited in one batch ends edited.
        edits = [(e.code, e.town, e.village_type.value) for e in
                 (event.decode() for event in events if event.type == "VillageAttributesChanged")]
        if edits:
            await conn.executemany("update stats.villages set town = $2, village_type = $3 where code = $1", edits)

    @staticmethod
    def row(village: VillageRegistered, event: RecordedEvent) -> tuple:
        incomes = village.income_fen.values()
        return (village.code, village.name, village.district, village.town, village.village_type.value,
                sum(incomes) // len(incomes), event.occurred_at, event.event_id, event.global_position)
