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



def fact_arrays(value_type: str) -> str:
    """The facts as $1–$11 arrays, one per column of FACT_COLUMNS (the value as ``value_type``)."""
    return f"""unnest($1::text[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::timestamptz[], $7::uuid[],
                $8::text[], $9::text[], $10::text[], $11::{value_type}[])
         as f(source, position, seq, kind, key, at, event_id, event_type, district, village, value)"""


FACT_ARRAYS = fact_arrays("jsonb")

# A COPY batch's facts read back by their events' keys ($1 sources, $2 positions): two arrays an
# event instead of eleven a fact (asyncpg checks every array element's type in Python). Only this
# batch's facts have these keys: an event is applied once, and its position is unique in its source.
BATCH_FACTS = """(select f.* from unnest($1::text[], $2::bigint[]) as b(source, position)
          join stats.facts f on f.source = b.source and f.position = b.position) as f"""

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


def fact_rows(events: Sequence[RecordedEvent]) -> tuple[list[tuple], list[tuple]]:
    """The rows of ``stats.facts`` and ``stats.changes`` that ``events`` add, in order (a fact's
    value as a dict: COPY's jsonb codec writes it; the one statement of SMALL_SQL takes text)."""
    facts: list[tuple] = []
    changes: list[tuple] = []
    for event in events:
        found = facts_of_recorded(event)
        if not found:
            continue
        source, position, at, event_id, event_type = (
            event.source, event.global_position or 0, event.occurred_at, event.event_id, event.type)
        first = found[0]
        if len(found) == 1:  # most events state one fact: no generator, no set to sort
            facts.append((source, position, 0, first.kind, first.key, at, event_id, event_type, first.district,
                          first.village, first.value))
            kinds = [first.kind]
        else:
            facts.extend(
                (source, position, seq, f.kind, f.key, at, event_id, event_type, f.district, f.village,
                 f.value)
                for seq, f in enumerate(found)
            )
            kinds = sorted({f.kind for f in found})
        changes.append((source, position, event_type, kinds, first.district, first.village, at, event.recorded_at))
    return facts, changes


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
        facts, changes = fact_rows(events)
        if len(events) < self.copy_from:
            await conn.execute(
                SMALL_SQL.format(facts=fact_arrays("text"), tallied=tally_sql("facts"), current=current_sql("facts"),
                                 note=self.note_sql(first=NOTE_FROM)),
                *as_columns([(*f[:-1], orjson.dumps(f[-1]).decode()) for f in facts], len(FACT_COLUMNS)),
                # kinds are identifiers: a space joins them as well as an array parameter would
                *as_columns([(*c[:3], " ".join(c[3]), *c[4:]) for c in changes], len(CHANGE_COLUMNS)),
                *self.note_params(events),
            )
            return
        if facts:
            await conn.copy_records_to_table("facts", schema_name="stats", columns=FACT_COLUMNS, records=facts)
            # Only the tallied kinds move a tally (tally_sql reads no other): most batches have none.
            tallied = [f for f in facts if f[3] in TALLIED]
            if tallied:  # before the kept latest moves: it reads it
                await conn.execute(tally_sql(FACT_ARRAYS), *as_columns(tallied, len(FACT_COLUMNS)))
            # One change row per event with facts: its source and position are the facts' keys.
            await conn.execute(current_sql(BATCH_FACTS), [c[0] for c in changes], [c[1] for c in changes])
        if changes:
            # COPY inserts in order: the change feed's numbers follow the order applied.
            await conn.copy_records_to_table("changes", schema_name="stats", columns=CHANGE_COLUMNS, records=changes)
        await self.note_applied(conn, events)

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
