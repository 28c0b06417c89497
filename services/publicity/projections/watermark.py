"""Projections that note, per source, the last event they applied — to tell how far behind they are.

The note is part of the read model (a table of its own per projection, rebuilt with it) and
holds only what the events say (position, recorded time), so a rebuild comes out the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import asyncpg

from shared.eventstore import RecordedEvent
from shared.projections import Projection


class Watermarked(Projection):
    """Subclasses implement ``apply_event`` (and may implement ``apply_events`` for a whole
    batch); ``schema_sql`` and ``tables`` get the note table."""

    model_sql: ClassVar[str]
    model_tables: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if "name" in cls.__dict__:
            cls.watermark_table = f"stats.applied_{cls.name}"
            cls.tables = (*cls.model_tables, cls.watermark_table)
            cls.schema_sql = cls.model_sql + f"""
            create table if not exists {cls.watermark_table} (
                source       text primary key,
                position     bigint not null,
                occurred_at  timestamptz not null,
                recorded_at  timestamptz not null
            );
            """

    watermark_table: ClassVar[str]

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self.apply_batch(conn, [event])

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        await self.apply_events(conn, events)
        await self.note_applied(conn, events)

    async def apply_events(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            await self.apply_event(conn, event)

    async def apply_event(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        raise NotImplementedError

    @staticmethod
    def last_per_source(events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
        """Per source, the event of the highest position: what noting each event in turn would leave."""
        last: dict[str, RecordedEvent] = {}
        for event in events:
            held = last.get(event.source)
            if held is None or (event.global_position or 0) > (held.global_position or 0):
                last[event.source] = event
        return list(last.values())

    async def note_applied(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        notes = self.last_per_source(events)
        if not notes:
            return
        await conn.execute(
            f"""insert into {self.watermark_table} (source, position, occurred_at, recorded_at)
                select * from unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::timestamptz[])
                on conflict (source) do update set position = excluded.position,
                    occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at
                where {self.watermark_table}.position < excluded.position""",
            [e.source for e in notes], [e.global_position or 0 for e in notes],
            [e.occurred_at for e in notes], [e.recorded_at for e in notes],
        )
