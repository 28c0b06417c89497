"""The PostgreSQL event store: append with optimistic concurrency, read, run commands once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson

from shared.eventstore.catalogue import CATALOGUE, DomainEvent, UnknownEvent
from shared.eventstore.envelope import CommandMeta, RecordedEvent
from shared.eventstore.errors import ConcurrencyError, DomainError, IdempotencyKeyReused, refuse_oversized
from shared.eventstore.group_commit import MAX_EVENTS, GroupCommit, Pending
from shared.eventstore.unit_of_work import CommandUnit, UncheckedGuess, UnitOfWork
from shared.tracing import span

TRANSIENT_RETRIES = 5
LOCKED_GROUPS = 256  # queues of commands holding locks kept at once; idle ones are dropped beyond it

__all__ = ["CommandResult", "EventStore", "Record", "UnitOfWork"]

# A command's idempotency record: (key, command name, fingerprint of its content, result).
Record = tuple[str, str, str, Any]

EVENT_COLUMNS = """e.id, e.event_id, e.type, e.schema_version, e.stream_id, e.stream_version,
    e.occurred_at, e.recorded_at, e.correlation_id, e.causation_id, e.actor, e.payload,
    e.traceparent"""

INSERT_EVENTS = """insert into es.events (event_id, stream_id, stream_version, type, schema_version,
    occurred_at, correlation_id, causation_id, actor, traceparent, payload, tx)"""


def sequencing_key(stream: str) -> str:
    """The event's sequencing key (``es.events.tx``): this transaction's id, raised to the key of
    the stream's head as this statement sees it. The sequencer orders by that key, so a
    transaction that took its id before the writer of version N committed still puts N+1
    after N (docs/reliability.md, "The sequencer"). One probe of the (stream, version) index."""
    return (f"greatest(pg_current_xact_id(), (select h.tx from es.events h where h.stream_id = {stream}"
            " order by h.stream_version desc limit 1))")


# An event row's 11 parameters, in INSERT_EVENTS' order (its sequencing key is computed).
EVENT_ROW_TYPES = ("uuid", "text", "int", "text", "int", "timestamptz", "uuid", "uuid", "text", "text", "jsonb")
_ONE = "select " + ", ".join(f"${i}::{t}" for i, t in enumerate(EVENT_ROW_TYPES, 1)) + ", " + sequencing_key("$2::text")
_MANY = """select u.*, """ + sequencing_key("u.stream_id") + """
           from unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::timestamptz[], $7::uuid[],
                       $8::uuid[], $9::text[], $10::text[], $11::jsonb[])
                as u (event_id, stream_id, stream_version, type, schema_version, occurred_at, correlation_id,
                      causation_id, actor, traceparent, payload)"""


def lock_function(shared: bool) -> str:
    """PostgreSQL's advisory lock held to the end of the transaction, shared or not."""
    return "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"


@functools.cache
def write_statement(events: str, record: bool, locks: tuple[bool, ...] = ()) -> str:
    """One statement that appends ``events`` ("none", "one" — scalar parameters, which encode
    far cheaper than arrays — or "many"), records the command's idempotency key and takes
    advisory locks (shared or not, each) before writing anything. Parameters in that order:
    the events' 11, the record's 4, one key per lock."""
    if events != "none" and not record and not locks:  # an append on a caller's transaction
        return f"{INSERT_EVENTS} {_ONE if events == 'one' else _MANY} returning recorded_at"
    first = 1 if events == "none" else 12
    ctes, source = [], ""
    if locks:
        taken = ", ".join(f"{lock_function(shared)}(${first + 4 * record + i}::bigint)"
                          for i, shared in enumerate(locks))
        ctes.append(f"locked as (select {taken})")
        source = " cross join locked"  # a row to write exists only once the locks are held
    if events != "none":
        rows = (_ONE + (" from locked" if locks else "")) if events == "one" else (_MANY + source)
        ctes.append(f"appended as ({INSERT_EVENTS} {rows} returning recorded_at)")
    if record:
        n = first
        ctes.append(f"""recorded as (insert into es.commands (idempotency_key, command, fingerprint, result)
            select ${n}::text, ${n + 1}::text, ${n + 2}::text, ${n + 3}::jsonb{" from locked" if locks else ""})""")
    if not ctes:
        raise ValueError("nothing to write")
    final = "select recorded_at from appended" if events != "none" else "select 1"
    return "with " + ",\n".join(ctes) + "\n" + final


def owned_key(actor: str, key: str) -> str:
    """The idempotency record's key: the caller's key within the caller's own space. The same
    key sent by another principal is another command, and a replay never answers one caller
    with another's result (nor tells them the key is taken). A newline cannot occur in an
    HTTP header, so no actor and key pair reads as another."""
    return f"{actor}\n{key}"


def fingerprint(body: Any) -> str:
    """A stable digest of a command's content, to tell a retry from a reuse of its key."""
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def to_recorded(row: asyncpg.Record, source: str) -> RecordedEvent:
    chain = row.get("chain_hash")
    return RecordedEvent(
        event_id=row["event_id"],
        type=row["type"],
        schema_version=row["schema_version"],
        source=source,
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        global_position=row.get("position"),
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        actor=row["actor"],
        payload=row["payload"],
        chain_hash=chain.hex() if chain else None,
    )


def _prepared(appends: Sequence[tuple[str, int, Sequence[DomainEvent]]], meta: CommandMeta,
              ) -> tuple[datetime, list[tuple[str, int, DomainEvent]], list[UUID], list[Any]]:
    """The events of ``appends``, each with its stream and version, a new id and its payload
    (an event above the size limit refused here, before anything is written)."""
    occurred = meta.occurred_at or datetime.now(UTC)
    flat = [(s, v + i + 1, e) for s, v, evs in appends for i, e in enumerate(evs)]
    ids = [uuid4() for _ in flat]
    payloads = [e.model_dump(mode="json") for _, _, e in flat]
    for (stream_id, _, event), payload in zip(flat, payloads, strict=True):
        refuse_oversized(event.event_type, stream_id, len(orjson.dumps(payload)))
    return occurred, flat, ids, payloads


def event_rows(appends: Sequence[tuple[str, int, Sequence[DomainEvent]]], meta: CommandMeta) -> list[tuple[Any, ...]]:
    """The events of ``appends`` as ``es.events`` rows: the 11 values of EVENT_ROW_TYPES each."""
    occurred, flat, ids, payloads = _prepared(appends, meta)
    return [(event_id, stream_id, version, event.event_type, event.version, occurred, meta.correlation_id,
             meta.causation_id, meta.actor, meta.traceparent, payload)
            for event_id, (stream_id, version, event), payload in zip(ids, flat, payloads, strict=True)]


@dataclass(frozen=True)
class CommandResult:
    result: dict[str, Any]
    replayed: bool  # True when an earlier execution with the same idempotency key answered


class EventStore:
    def __init__(self, pool: asyncpg.Pool, source: str, *, on_commit: Callable[[], None] | None = None):
        self.pool = pool
        self.source = source
        self.on_commit = on_commit  # told after each command commits (the relay's wake-up)
        self._group = GroupCommit()  # commands that hold no lock
        self._locked_groups: dict[tuple[tuple[int, bool], ...], GroupCommit] = {}  # and those that do, by locks

    async def append(
        self,
        conn: asyncpg.Connection,
        stream_id: str,
        expected_version: int,
        events: Sequence[DomainEvent],
        meta: CommandMeta,
        *,
        verify_head: bool = True,
    ) -> list[RecordedEvent]:
        """Append ``events`` after ``expected_version``; raise ``ConcurrencyError`` if the
        stream moved on. Runs inside the caller's transaction, which a failure aborts."""
        return await self.append_many(conn, [(stream_id, expected_version, events)], meta, verify_head=verify_head)

    async def append_many(
        self,
        conn: asyncpg.Connection,
        appends: Sequence[tuple[str, int, Sequence[DomainEvent]]],
        meta: CommandMeta,
        *,
        verify_head: bool = True,
        record: Record | None = None,
        locks: Sequence[tuple[int, bool]] = (),
        recorded: bool = True,
    ) -> list[RecordedEvent]:
        """Append to many streams at once — ``(stream_id, expected_version, events)`` each —
        with one head check and one insert (a designation of hundreds of villages in one
        transaction; thousands of new streams go by ``bulk.append_new_streams``). Same guarantees as ``append``, stream by stream.

        The unique (stream, version) key catches a writer that got there first; the head
        check catches a caller expecting a version a stream never reached. A unit of work
        that loaded its streams knows their heads and skips the check.

        ``record`` (a command's idempotency record) and ``locks`` (advisory ``(key, shared)``
        locks, held until commit) go in the same statement: a command run outside a
        transaction is then still all or nothing. ``recorded=False``: the caller needs no
        ``RecordedEvent`` back (a command's final statement), and none is built.
        """
        appends = [(s, v, list(evs)) for s, v, evs in appends if evs]
        if not appends and record is None:
            return []
        with span("eventstore.append", attributes={"streams": len(appends)}):
            moved = [(s, v) for s, v, _ in appends if v > 0] if verify_head else []
            if moved:
                current = dict(await conn.fetch(
                    """select stream_id, max(stream_version) from es.events
                       where stream_id = any($1::text[]) group by stream_id""",
                    [s for s, _ in moved],
                ))
                for stream_id, expected in moved:
                    if current.get(stream_id, 0) != expected:
                        raise ConcurrencyError(stream_id, expected)
            occurred, flat, ids, payloads = _prepared(appends, meta)
            if len(flat) == 1:
                (stream_id, version, event), = flat
                args = [ids[0], stream_id, version, event.event_type, event.version, occurred,
                        meta.correlation_id, meta.causation_id, meta.actor, meta.traceparent, payloads[0]]
            elif flat:
                n = len(flat)
                args = [ids, [s for s, _, _ in flat], [v for _, v, _ in flat], [e.event_type for _, _, e in flat],
                        [e.version for _, _, e in flat], [occurred] * n, [meta.correlation_id] * n,
                        [meta.causation_id] * n, [meta.actor] * n, [meta.traceparent] * n, payloads]
            else:
                args = []
            sql = write_statement("none" if not flat else "one" if len(flat) == 1 else "many",
                                  record is not None, tuple(shared for _, shared in locks))
            try:
                rows = await conn.fetch(sql, *args, *(record or ()), *(key for key, _ in locks))
            except asyncpg.UniqueViolationError as exc:
                if exc.constraint_name == "events_stream_id_stream_version_key":
                    raise ConcurrencyError(appends[0][0] if len(appends) == 1 else "(batch)", appends[0][1]) from exc
                raise
        if not flat or not recorded:
            return []
        return [  # every value is already of its field's type: no validation needed
            RecordedEvent.model_construct(
                event_id=event_id, type=event.event_type, schema_version=event.version, source=self.source,
                stream_id=stream_id, stream_version=version, occurred_at=occurred, recorded_at=row["recorded_at"],
                correlation_id=meta.correlation_id, causation_id=meta.causation_id, actor=meta.actor,
                payload=payload,
            )
            for event_id, row, (stream_id, version, event), payload in zip(ids, rows, flat, payloads, strict=True)
        ]

    async def write_command(
        self,
        conn: asyncpg.Connection,
        appends: Sequence[tuple[str, int, Sequence[DomainEvent]]],
        meta: CommandMeta,
        record: Record | None,
        locks: Sequence[tuple[int, bool]] = (),
    ) -> None:
        """A command's final statement outside a transaction — its events, its idempotency
        record and the advisory locks it holds to its commit — written together with those of
        the commands finishing at the same time with the same locks (``group_commit``). Errors,
        and the guarantees, are those of ``append_many`` alone."""
        appends = [(s, v, list(evs)) for s, v, evs in appends if evs]
        locks = tuple(locks)

        async def alone(on: asyncpg.Connection) -> None:
            await self.append_many(on, appends, meta, verify_head=False, record=record, locks=locks, recorded=False)

        rows = event_rows(appends, meta)
        if len(rows) > MAX_EVENTS:
            await alone(conn)
            return
        if locks:
            group = self._locked_groups.get(locks)
            if group is None:
                if len(self._locked_groups) >= LOCKED_GROUPS:  # locks per entity would grow it without end
                    self._locked_groups = {k: g for k, g in self._locked_groups.items() if not g.idle}
                group = self._locked_groups[locks] = GroupCommit(locks=locks)
        else:
            group = self._group
        await group.write(conn, Pending(rows, record, alone))

    async def load_streams(
        self, conn: asyncpg.Connection, stream_ids: Sequence[str]
    ) -> dict[str, list[DomainEvent | UnknownEvent]]:
        """Streams' events decoded for aggregates (no positions, no envelopes); absent → []."""
        if len(stream_ids) == 1:  # the common case, without the cost of an array parameter
            rows = await conn.fetch(
                """select stream_id, type, schema_version, payload from es.events
                   where stream_id = $1 order by stream_version""",
                stream_ids[0],
            )
        else:
            rows = await conn.fetch(
                """select stream_id, type, schema_version, payload from es.events
                   where stream_id = any($1::text[]) order by stream_id, stream_version""",
                list(stream_ids),
            )
        streams: dict[str, list[DomainEvent | UnknownEvent]] = {s: [] for s in stream_ids}
        for r in rows:
            streams[r["stream_id"]].append(CATALOGUE.decode(r["type"], r["schema_version"], r["payload"]))
        return streams

    async def read_streams(self, conn: asyncpg.Connection, stream_ids: Sequence[str]) -> dict[str, list[RecordedEvent]]:
        """Several streams in one query, each in version order (absent streams map to [])."""
        rows = await conn.fetch(
            f"""select {EVENT_COLUMNS}, l.position, l.chain_hash
                from es.events e left join es.log l on l.event_row = e.id
                where e.stream_id = any($1::text[]) order by e.stream_id, e.stream_version""",
            list(stream_ids),
        )
        streams: dict[str, list[RecordedEvent]] = {s: [] for s in stream_ids}
        for r in rows:
            streams[r["stream_id"]].append(to_recorded(r, self.source))
        return streams

    async def read_stream(self, conn: asyncpg.Connection | None, stream_id: str) -> list[RecordedEvent]:
        sql = f"""select {EVENT_COLUMNS}, l.position, l.chain_hash
                  from es.events e left join es.log l on l.event_row = e.id
                  where e.stream_id = $1 order by e.stream_version"""
        if conn is None:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(sql, stream_id)
        else:
            rows = await conn.fetch(sql, stream_id)
        return [to_recorded(r, self.source) for r in rows]

    async def read_all(self, after: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Events in global order after position ``after``. Only sequenced events have a
        position, so a reader that resumes from its last position never skips one."""
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"""select {EVENT_COLUMNS}, l.position, l.chain_hash
                    from es.log l join es.events e on e.id = l.event_row
                    where l.position > $1 order by l.position limit $2""",
                after,
                limit,
            )
        return [to_recorded(r, self.source) for r in rows]

    async def execute(
        self,
        command: str,
        body: Any,
        meta: CommandMeta,
        handler: Callable[[UnitOfWork], Awaitable[dict[str, Any]]],
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Run ``handler`` as one atomic command. With a key, a retry returns the first
        result and appends nothing, and a concurrent duplicate waits for and returns the first.

        The handler gets a ``CommandUnit``: its saves, the key and the result are written by
        one statement at the end, in a transaction only if the handler needed one (it
        touched ``uow.conn``); a handler that guessed an aggregate new (``uow.new``) and did
        not commit is run once more, reading it. A retry is recognised when that record
        collides, or when the handler refuses the command (for example because its first
        run already took effect). The common, first run pays no extra look-up.

        The key is the caller's (``meta.actor``): see ``owned_key``. Only a command that
        committed is recorded; a refused one (any DomainError, 4xx) leaves nothing to replay.
        """
        digest = fingerprint({"command": command, "body": body}) if idempotency_key else ""
        if idempotency_key:
            idempotency_key = owned_key(meta.actor, idempotency_key)
        async with self.pool.acquire() as conn:
            guess_new = True
            victim = 0  # times PostgreSQL rolled this command back to break a deadlock
            while True:
                uow = None
                try:
                    async with contextlib.AsyncExitStack() as scope:  # the transaction, if one starts
                        uow = CommandUnit(conn, self, meta, scope, guess_new=guess_new)
                        result = await handler(uow)
                        if meta.backdate_reason:  # rare: beyond the window, so one more statement
                            await uow.conn.execute(
                                "insert into es.backdated (correlation_id, actor, occurred_at, reason) "
                                "values ($1, $2, $3, $4)",
                                meta.correlation_id, meta.actor, meta.occurred_at, meta.backdate_reason)
                        await uow.finish((idempotency_key, command, digest, result) if idempotency_key else None)
                    if self.on_commit is not None:
                        self.on_commit()
                    return CommandResult(result, replayed=False)
                except asyncpg.TransactionRollbackError:
                    # A deadlock's victim (two commands locking the same rows and keys in
                    # different orders) or a serialization failure: rolled back whole, so the
                    # command runs again from the start — its effect still lands once.
                    victim += 1
                    if victim > TRANSIENT_RETRIES:
                        raise
                    await asyncio.sleep(random.uniform(0.005, 0.02) * victim)
                except (asyncpg.UniqueViolationError, DomainError, UncheckedGuess):
                    if uow is not None and uow.guessed:  # the answer rested on a guess: ask again, reading
                        guess_new = False
                        continue
                    if idempotency_key and (done := await self._recorded(conn, idempotency_key, digest)):
                        return done
                    raise

    @staticmethod
    async def _recorded(conn: asyncpg.Connection, key: str, digest: str) -> CommandResult | None:
        row = await conn.fetchrow(
            "select fingerprint, result from es.commands where idempotency_key = $1", key
        )
        if row is None:
            return None
        if row["fingerprint"] != digest:
            raise IdempotencyKeyReused(key.partition("\n")[2])  # the caller's key, as they sent it
        return CommandResult(row["result"], replayed=True)
