"""Appending thousands of events that open new streams (a bulk import), by COPY.

``EventStore.append_many`` binds every event as array parameters: for a table of
thousands of villages, that costs more client time than PostgreSQL spends storing the rows. ``append_new_streams`` writes the
same rows in the caller's transaction — COPY into a session-local staging table, then an
insert into ``es.events``, which the sequencer and relay treat like any other — a few
hundred at a time, building the next ones while PostgreSQL stores the last.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import asyncpg

from shared.eventstore.catalogue import DomainEvent
from shared.eventstore.envelope import CommandMeta
from shared.eventstore.errors import MAX_EVENT_BYTES, ConcurrencyError, refuse_oversized
from shared.tracing import span

STAGING_SQL = """create temporary table if not exists es_bulk_in (
    n integer, stream_id text, stream_version integer, type text, schema_version integer, payload text
) on commit delete rows"""
STAGING_COLUMNS = ("n", "stream_id", "stream_version", "type", "schema_version", "payload")

# Only new streams: each event's sequencing key is then its transaction's id (the column's
# default); an append after an existing head goes by ``EventStore.append_many``.
INSERT_SQL = """with staged as (delete from es_bulk_in returning *)
insert into es.events (event_id, stream_id, stream_version, type, schema_version, occurred_at,
                       correlation_id, causation_id, actor, traceparent, payload)
select gen_random_uuid(), stream_id, stream_version, type, schema_version, $1, $2, $3, $4, $5, payload::jsonb
from staged order by n"""

class Encoded(NamedTuple):
    """An event already as its payload JSON, for a caller that validated its fields itself
    (an import validates each row as a command, so need not validate it again as an event)."""

    event_type: str
    version: int
    json: str


CHUNK = 500  # events per insert: enough to pay the round trips, few enough to overlap
FIRST_CHUNK = 100  # a small first one, so that PostgreSQL starts storing soon


async def append_new_streams(
    conn: asyncpg.Connection, streams: Iterable[tuple[str, Sequence[DomainEvent | Encoded]]], meta: CommandMeta,
) -> int:
    """Append each ``(stream_id, events)`` as a new stream (versions 1, 2, …), in order, with
    ``meta`` on every event; returns how many were appended. ``streams`` may be a generator
    that makes them: it runs while PostgreSQL stores the previous chunk. A stream that
    already exists fails the whole append with ``ConcurrencyError`` (the unique stream
    version), and the caller's transaction must then write nothing."""
    occurred = meta.occurred_at or datetime.now(UTC)
    appended = 0
    with span("eventstore.append", attributes={"bulk": True}):
        inserting = asyncio.ensure_future(conn.execute(STAGING_SQL))
        await asyncio.sleep(0)  # the staging table is made while the first chunk is built
        try:
            for rows in _chunks(streams):
                await inserting
                await conn.copy_records_to_table("es_bulk_in", columns=STAGING_COLUMNS, records=rows)
                inserting = asyncio.ensure_future(_insert(conn, occurred, meta))
                await asyncio.sleep(0)  # the insert goes out; the next chunk is built meanwhile
                appended += len(rows)
            await inserting
        finally:
            if not inserting.done():  # the caller's generator failed
                await asyncio.gather(inserting, return_exceptions=True)
    return appended


def _chunks(streams: Iterable[tuple[str, Sequence[DomainEvent | Encoded]]]) -> Iterator[list[tuple]]:
    rows: list[tuple] = []
    n, size = 0, min(FIRST_CHUNK, CHUNK)
    for stream_id, events in streams:
        for version, event in enumerate(events, start=1):
            payload = event.json if type(event) is Encoded else event.model_dump_json()
            if len(payload) > MAX_EVENT_BYTES // 4:  # characters; as UTF-8 up to 4 bytes each: measure
                refuse_oversized(event.event_type, stream_id, len(payload.encode()))
            rows.append((n, stream_id, version, event.event_type, event.version, payload))
            n += 1
        if len(rows) >= size:
            yield rows
            rows, size = [], CHUNK
    if rows:
        yield rows


async def _insert(conn: asyncpg.Connection, occurred: datetime, meta: CommandMeta) -> None:
    try:
        await conn.execute(INSERT_SQL, occurred, meta.correlation_id, meta.causation_id, meta.actor, meta.traceparent)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == "events_stream_id_stream_version_key":
            raise ConcurrencyError("(batch)", 0) from exc
        raise
