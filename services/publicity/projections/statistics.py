"""统计事实 / the statistics' read model: dated facts from every service's log.

Besides the facts it keeps, in the same transaction, each key's latest fact (``stats.current``)
and the running tallies of check-ins and allowances (``stats.tallies``, ``tallies.py``), which
figures as of now read instead of the facts' whole history; each screening run's ranked list
(``stats.ranked``, from the run's pages); and the
change feed (``stats.changes``): one row per applied event, numbered in apply order, that
the live feed hands to clients; it is written in the same transaction as the facts, so a
client resuming after change N misses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import asyncpg
import orjson

from shared.eventstore import RecordedEvent

from services.publicity.projections.facts import facts_of_recorded
from services.publicity.projections.tallies import TALLIED, tally_sql
from services.publicity.projections.watermark import Watermarked, as_columns

# The events that carry villages of a screening run's ranked list (see _ranked).
RANKED_LISTS = frozenset({"ScreeningRankedPage", "ScreeningCompleted"})
RANKED_COLUMNS = ("run_id", "code", "district", "rank", "average_fen", "income_fen", "designated", "position")
FACT_COLUMNS = ("source", "position", "seq", "kind", "key", "at", "event_id", "event_type", "district", "village", "value")
CHANGE_COLUMNS = ("source", "position", "event_type", "kinds", "district", "village", "occurred_at", "recorded_at")


def current_sql(rows: str) -> str:
    """Keeps ``stats.current``, each key's latest fact, from the facts ``rows`` (a relation with
    the facts' columns): the order ``facts_sql.latest()`` picks by, business time then log
    position. A batch's own facts are sorted first (one row per key: an upsert may touch a row
    once), and a fact older than the key's kept one changes nothing — a back-dated correction
    stays in the history for the dates before it."""
    return f"""insert into stats.current (kind, key, at, position, seq, source, event_id, event_type, district,
                           village, value)
    select distinct on (kind, key) kind, key, at, position, seq, source, event_id, event_type, district, village,
           value
    from {rows} order by kind, key, at desc, position desc, seq desc
    on conflict (kind, key) do update set at = excluded.at, position = excluded.position, seq = excluded.seq,
        source = excluded.source, event_id = excluded.event_id, event_type = excluded.event_type,
        district = excluded.district, village = excluded.village, value = excluded.value
    where (excluded.at, excluded.position, excluded.seq) > (stats.current.at, stats.current.position, stats.current.seq)"""


# The facts as $1–$11 arrays, one per column of FACT_COLUMNS (the value as JSON text).
FACT_ARRAYS = """unnest($1::text[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::timestamptz[], $7::uuid[],
                $8::text[], $9::text[], $10::text[], $11::text[])
         as f(source, position, seq, kind, key, at, event_id, event_type, district, village, value)"""

# A COPY batch goes first into a staging table of the session, one row per fact with what its
# event's change row needs beside it (the time recorded; the kinds where the event states more
# than one fact): one COPY an event instead of two, and no array parameters, then the facts,
# tallies, kept latest, change rows and watermark from it in one statement (STAGED_SQL). It
# lives on the connection (temporary) and is emptied at each commit; ``n`` keeps the COPY's order.
STAGE_COLUMNS = (*FACT_COLUMNS, "recorded_at", "kinds")
STAGE_SQL = """create temporary table if not exists stats_stage (
    n bigint generated always as identity, source text, position bigint, seq int, kind text, key text,
    at timestamptz, event_id uuid, event_type text, district text, village text, value jsonb,
    recorded_at timestamptz, kinds text) on commit delete rows"""
# The facts CTE reads the stage, not what the insert returns: one scan fewer, the same rows.
STAGED_SQL = """with facts as (
    insert into stats.facts (source, position, seq, kind, key, at, event_id, event_type, district, village, value)
    select source, position, seq, kind, key, at, event_id, event_type, district, village, value from stats_stage),
tallied as ({tallied}),
current as ({current}),
change as (
    insert into stats.changes (source, position, event_type, kinds, district, village, occurred_at, recorded_at)
    select source, position, event_type, coalesce(string_to_array(kinds, ' '), array[kind]), district, village, at,
           recorded_at
    from stats_stage where seq = 0 order by n)
{note}"""

# Facts, tallies, each key's latest, change rows and the watermark in one round trip: a live batch is often one event.
NOTE_FROM = len(FACT_COLUMNS) + len(CHANGE_COLUMNS) + 1  # the watermark's arrays follow the facts' and the changes' 
SMALL_SQL = """with facts as (
    insert into stats.facts (source, position, seq, kind, key, at, event_id, event_type, district, village, value)
    select source, position, seq, kind, key, at, event_id, event_type, district, village, value::jsonb
    from {facts}
    returning *),
tallied as ({tallied}),
current as ({current}),
change as (
    insert into stats.changes (source, position, event_type, kinds, district, village, occurred_at, recorded_at)
    select source, position, event_type, string_to_array(kinds, ' '), district, village, occurred_at, recorded_at
    from unnest($12::text[], $13::bigint[], $14::text[], $15::text[], $16::text[], $17::text[],
                $18::timestamptz[], $19::timestamptz[]) with ordinality
         as c(source, position, event_type, kinds, district, village, occurred_at, recorded_at, n)
    order by n)
{note}"""


def fact_rows(events: Sequence[RecordedEvent]) -> list[tuple]:
    """The facts that ``events`` add, in order, as rows of STAGE_COLUMNS: a fact's value as a
    dict (COPY's jsonb codec writes it), and the event's first fact (seq 0) standing for its
    change row — with the kinds, space-joined and sorted, where it states more than one."""
    rows: list[tuple] = []
    for event in events:
        found = facts_of_recorded(event)
        if not found:
            continue
        source, position, at, event_id, event_type, recorded = (
            event.source, event.global_position or 0, event.occurred_at, event.event_id, event.type,
            event.recorded_at)
        if len(found) == 1:  # most events state one fact: no generator, no set to sort
            first = found[0]
            rows.append((source, position, 0, first.kind, first.key, at, event_id, event_type, first.district,
                         first.village, first.value, recorded, None))
        else:
            kinds = " ".join(sorted({f.kind for f in found}))
            rows.extend(
                (source, position, seq, f.kind, f.key, at, event_id, event_type, f.district, f.village,
                 f.value, recorded, None if seq else kinds)
                for seq, f in enumerate(found)
            )
    return rows


class StatisticsProjection(Watermarked):
    name = "statistics"
    sources = ("registry", "funding", "assessment")
    model_tables = ("stats.facts", "stats.current", "stats.tallies", "stats.ranked", "stats.changes")

    # From this many events a batch goes in by COPY (a rebuild's thousands: a third of the client
    # work of array parameters); below it, the one statement of SMALL_SQL (the live worker's few).
    copy_from: ClassVar[int] = 200

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            if event.type in RANKED_LISTS:
                await self._ranked(conn, event)
        rows = fact_rows(events)
        if len(events) < self.copy_from:
            # kinds are identifiers: a space joins them as well as an array parameter would
            changes = [(r[0], r[1], r[7], r[12] or r[3], r[8], r[9], r[5], r[11]) for r in rows if not r[2]]
            await conn.execute(
                SMALL_SQL.format(facts=FACT_ARRAYS, tallied=tally_sql("facts"), current=current_sql("facts"),
                                 note=self.note_sql(first=NOTE_FROM)),
                *as_columns([(*r[:10], orjson.dumps(r[10]).decode()) for r in rows], len(FACT_COLUMNS)),
                *as_columns(changes, len(CHANGE_COLUMNS)),
                *self.note_params(events),
            )
            return
        # The session's settings are left as they were: the notice of a stage already there is not sent.
        await conn.execute(f"set local client_min_messages = warning; {STAGE_SQL}")
        if rows:
            await conn.copy_records_to_table("stats_stage", columns=STAGE_COLUMNS, records=rows)
        # Only the tallied kinds move a tally (tally_sql reads no other): most batches have none,
        # and then the statement does not read the kept latest for them.
        tallied = tally_sql("stats_stage") if any(r[3] in TALLIED for r in rows) else "select"
        await conn.execute(STAGED_SQL.format(tallied=tallied, current=current_sql("stats_stage"),
                                             note=self.note_sql()), *self.note_params(events))

    async def _ranked(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        """A run's ranked villages: a page of them (``ScreeningRankedPage``), or all of them in a
        run recorded as ``ScreeningCompleted`` v1 (upcast, the lists are inline); a v2 summary has none
        (its pages came first)."""
        run = event.decode()
        designated = set(run.designated)
        await conn.executemany(
            f"insert into stats.ranked ({', '.join(RANKED_COLUMNS)}) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            [(run.run_id, r.code, r.district, r.rank, r.average_fen, dict(r.income_fen), r.code in designated,
              event.global_position or 0) for r in run.ranked],
        )
