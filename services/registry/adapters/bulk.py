"""The village import's writes: many new streams appended at once under a savepoint, and the
look-up of codes already registered (``uow.adapter(PgVillageImport)``, through
``handlers/ports.py``). No in-memory twin: the bulk append is PostgreSQL's own
(``shared/eventstore/bulk.py``) and stays with the integration tests (``test_villages_import.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import asyncpg

from shared.eventstore import CommandMeta
from shared.eventstore.bulk import Encoded, append_new_streams

from services.registry.queries import eventlog


class PgVillageImport:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def registered(self, codes: Sequence[str]) -> set[str]:
        return await eventlog.registered_villages(self.conn, codes)

    async def append_unless_undone(self, streams: Iterable[tuple[str, list[Encoded]]], meta: CommandMeta,
                                   keep: Callable[[], bool]) -> int:
        """Append ``streams`` in a savepoint, then keep them if ``keep()`` says so once all were
        made, else roll them back; returns how many streams were kept."""
        savepoint = self.conn.transaction()
        await savepoint.start()
        try:
            appended = await append_new_streams(self.conn, streams, meta)
        except BaseException:
            await savepoint.rollback()
            raise
        if keep():
            await savepoint.commit()
            return appended
        await savepoint.rollback()
        return 0
