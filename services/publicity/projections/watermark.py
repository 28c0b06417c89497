"""Projections that note, per source, the last event they applied — to tell how far behind they are.

The note is part of the read model (a table of its own per projection, rebuilt with it) and
holds only what the events say (position, recorded time), so a rebuild comes out the same.
"""

from __future__ import annotations

from typing import ClassVar

import asyncpg

from shared.eventstore import RecordedEvent
from shared.projections import Projection


class Watermarked(Projection):
    """Subclasses implement ``apply_event``; ``schema_sql`` and ``tables`` get the note table."""

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
        await self.apply_event(conn, event)
        await conn.execute(
            f"""insert into {self.watermark_table} (source, position, occurred_at, recorded_at)
                values ($1, $2, $3, $4)
                on conflict (source) do update set position = excluded.position,
                    occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at
                where {self.watermark_table}.position < excluded.position""",
            event.source, event.global_position or 0, event.occurred_at, event.recorded_at,
        )

    async def apply_event(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        raise NotImplementedError
