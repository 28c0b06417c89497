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
    """A projection that notes, in each batch, the last event it applied from each source.

    Subclasses set ``model_tables`` (``tables`` gets the note table, ``stats.applied_<name>``, too;
    both are in publicity's migrations) and implement ``apply``; one that overrides ``apply_batch`` notes the
    batch itself: ``note_applied``, or ``note_sql`` within a statement of its own.
    """

    model_tables: ClassVar[tuple[str, ...]]
    watermark_table: ClassVar[str]

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        # Every batch is applied, whatever its types: the note counts each event of a source, and
        # the answers state it (log_positions). A batch passed over would leave the note behind.
        cls.handles = None
        if "name" in cls.__dict__:
            cls.watermark_table = f"stats.applied_{cls.name}"
            cls.tables = (*cls.model_tables, cls.watermark_table)

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        await super().apply_batch(conn, events)
        await self.note_applied(conn, events)

    @staticmethod
    def last_per_source(events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
        """Per source, the event of the highest position: what noting each event in turn would leave."""
        last: dict[str, RecordedEvent] = {}
        source, held, top = None, None, -1  # the source of a run of events, its latest and that one's position
        for event in events:
            if event.source != source:
                if held is not None:
                    last[source] = held
                source = event.source
                held = last.get(source)
                top = -1 if held is None else held.global_position or 0
            if (event.global_position or 0) > top:
                held, top = event, event.global_position or 0
        if held is not None:
            last[source] = held
        return list(last.values())

    @classmethod
    def note_sql(cls, first: int = 1) -> str:
        """The statement that notes a batch, its four arrays (``note_params``) from ``$first`` on;
        a note never moves back."""
        source, position, occurred, recorded = (f"${n}" for n in range(first, first + 4))
        return f"""insert into {cls.watermark_table} (source, position, occurred_at, recorded_at)
select * from unnest({source}::text[], {position}::bigint[], {occurred}::timestamptz[], {recorded}::timestamptz[])
on conflict (source) do update set position = excluded.position,
    occurred_at = excluded.occurred_at, recorded_at = excluded.recorded_at
where {cls.watermark_table}.position < excluded.position"""

    @classmethod
    def note_params(cls, events: Sequence[RecordedEvent]) -> list[list]:
        notes = cls.last_per_source(events)
        return [[e.source for e in notes], [e.global_position or 0 for e in notes],
                [e.occurred_at for e in notes], [e.recorded_at for e in notes]]

    async def note_applied(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        if events:
            await conn.execute(self.note_sql(), *self.note_params(events))


def as_columns(rows: Sequence[tuple], width: int) -> list[list]:
    """Rows as one list per column: the arrays an ``unnest`` statement takes."""
    return [list(column) for column in zip(*rows)] if rows else [[] for _ in range(width)]
