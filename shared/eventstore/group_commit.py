"""Group commit: the final statements of concurrent commands written by one statement.

A command run outside a transaction ends with one statement (its events, its idempotency
record — ``CommandUnit.finish``). Sixteen such commands at once cost sixteen round trips and
sixteen commits, each commit a WAL flush the others queue behind. Here the commands of one
process that finish while a write is on the wire wait for it and then go together: ONE
statement, one commit, for all of them.

No committer task and no connection of its own: a command that finds no write on the wire
writes at once, on its own connection (a lone command pays nothing); commands that arrive
meanwhile queue, and when the write returns, the first of them leads the next group on its
connection, taking everyone queued by then. A pool as small as its writers cannot starve a
committer that way. ``IN_FLIGHT`` allows more than one write on the wire: measured on two
shared cores, where the client's CPU is the limit, 4 wrote no more commands a second than 1
and cost 20–40 % more CPU a command (smaller groups); where the commit itself is the wait (a
WAL flush on a slow disk), more would keep fewer commands idle.

Each command keeps its own answer. A group is one statement, all or nothing: when it fails
(a stream that moved on, a key already recorded, a deadlock, the leader's connection lost),
each of its commands is written again by itself, on its own connection, exactly as it would
have been without a group, so each gets its own result or its own error and a failure of one
never fails the others.

Commands that hold advisory locks to their commit (``UnitOfWork.hold_lock`` — a registration
takes the register lock shared) group only with commands holding the same locks, in a queue
of their own: the group's statement takes those locks before it writes anything, as each
command's own statement would, so the group lands wholly before or after whoever takes them
exclusively; and a group waiting for a lock holds up no command that does not take it.

Ordering is unchanged: the group is one transaction, so its events take its transaction id
as their sequencing key (``es.events.tx``, raised to a stream head's key where that is later,
as for any append), and the sequencer orders events of one key by row id — here queue
order, the order in which the commands finished.
"""

from __future__ import annotations

import asyncio
import collections
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg

from shared.tracing import span

if TYPE_CHECKING:
    from shared.eventstore.store import Record

# Above this many events a command goes alone, and a group closes: a statement's parameters
# are bounded (32,767), and a designation of hundreds of villages gains nothing from company.
MAX_EVENTS = 64
# Writes on the wire at once (the others' commands queue for the next group).
IN_FLIGHT = 1
_EVENT_PARAMS = 11
_LEAD = object()  # a waiting command's turn: lead the next group
_ALONE = object()  # its group failed: write yourself, alone


@dataclass(eq=False)
class Pending:
    """A command's final write: its event rows (``store.event_rows``), its idempotency record,
    and its own statement, for when it is written alone (``alone(conn)``)."""

    rows: list[tuple[Any, ...]]
    record: Record | None
    alone: Callable[[asyncpg.Connection], Awaitable[None]]  # its own statement, as without a group
    turn: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    error: BaseException | None = None


class GroupCommit:
    """One per ``EventStore`` and set of advisory locks (``(key, shared)`` each, taken in that
    order): the queue of commands waiting for the write in flight."""

    def __init__(self, in_flight: int = IN_FLIGHT, locks: tuple[tuple[int, bool], ...] = ()) -> None:
        self._queue: collections.deque[Pending] = collections.deque()
        self._writing = 0  # writes on the wire; the queue waits only while all slots are taken
        self._slots = in_flight
        self._locks = locks

    @property
    def idle(self) -> bool:
        """No write on the wire and nobody waiting: dropping it loses nothing."""
        return not self._writing and not self._queue

    async def write(self, conn: asyncpg.Connection, pending: Pending) -> None:
        """Write ``pending`` (with whoever waits) and return once it is committed; raise its
        own error if it failed. ``conn`` is the caller's, idle until its command is written."""
        if self._writing >= self._slots:
            self._queue.append(pending)
            try:
                turn = await pending.turn
            except asyncio.CancelledError:
                self._leave(pending)
                raise
            if turn is _ALONE:  # its group failed: written again by itself, on its own connection
                await pending.alone(conn)
                return
            if turn is not _LEAD:
                return  # written by the group another command led
        else:
            self._writing += 1
        group = [pending]
        events = len(pending.rows)
        while self._queue and events + len(self._queue[0].rows) <= MAX_EVENTS:
            events += len(self._queue[0].rows)
            group.append(self._queue.popleft())
        await self._lead(conn, group)
        if pending.error is not None:
            raise pending.error

    async def _lead(self, conn: asyncpg.Connection, group: list[Pending]) -> None:
        """Write ``group`` on ``conn``, then pass the lead on. The others' writes are on this
        connection: a cancelled leader still waits for them before it lets go of it."""
        flush = asyncio.ensure_future(self._flush(conn, group))
        cancelled = False
        while not flush.done():
            try:
                await asyncio.shield(flush)
            except asyncio.CancelledError:
                cancelled = True
        self._pass_on()
        if cancelled:
            raise asyncio.CancelledError

    def _pass_on(self) -> None:
        if self._queue:
            self._queue.popleft().turn.set_result(_LEAD)
        else:
            self._writing -= 1

    def _leave(self, pending: Pending) -> None:
        """A waiting command was cancelled: out of the queue, or, if the lead had just come to
        it, the lead passed on — it must not stop the commands behind it."""
        if pending in self._queue:
            self._queue.remove(pending)
        elif pending.turn.done() and not pending.turn.cancelled() and pending.turn.result() is _LEAD:
            self._pass_on()

    async def _flush(self, conn: asyncpg.Connection, group: list[Pending]) -> None:
        """The group's statement; if it fails, each command is written again by itself — the
        others by their own callers (``_ALONE``), the leader here — for its own answer."""
        leader, others = group[0], group[1:]
        if others:
            rows = [row for p in group for row in p.rows]
            records = [r for p in group if p.record is not None for r in p.record]
            try:
                with span("eventstore.group_commit", attributes={"commands": len(group)}):
                    await conn.execute(group_statement(len(rows), len(records) // 4,
                                                       tuple(shared for _, shared in self._locks)),
                                       *(v for row in rows for v in row), *records, *(key for key, _ in self._locks))
            except Exception:  # noqa: BLE001 — nothing was written; each command tries alone
                _settle(others, _ALONE)
            else:
                _settle(others, None)
                return
        try:
            await leader.alone(conn)
        except Exception as exc:  # noqa: BLE001 — handed to the leader's caller
            leader.error = exc


def _settle(waiting: list[Pending], turn: object) -> None:
    for p in waiting:
        if not p.turn.done():  # else its caller was cancelled and has gone
            p.turn.set_result(turn)


@functools.cache
def group_statement(events: int, records: int, locks: tuple[bool, ...] = ()) -> str:
    """One statement that takes advisory locks (shared or not, each), then appends ``events``
    rows (11 scalar parameters each — scalars encode far cheaper than arrays) and records
    ``records`` idempotency keys (4 each). Parameters in that order: events, records, one key
    per lock."""
    from shared.eventstore.store import EVENT_ROW_TYPES, INSERT_EVENTS, lock_function, sequencing_key

    def values(count: int, width: int, first: int, types: tuple[str, ...]) -> str:
        return ", ".join(
            "(" + ", ".join(f"${first + i * width + j}::{types[j]}" for j in range(width)) + ")"
            for i in range(count))

    ctes = []
    source = ""
    if locks:
        first = 1 + events * _EVENT_PARAMS + records * 4
        taken = ", ".join(f"{lock_function(shared)}(${first + i}::bigint)" for i, shared in enumerate(locks))
        ctes.append(f"locked as (select {taken})")
        source = " cross join locked"  # a row to write exists only once the locks are held
    if events:
        ctes.append(f"""appended as ({INSERT_EVENTS}
            select v.*, {sequencing_key("v.stream_id")}
            from (values {values(events, _EVENT_PARAMS, 1, EVENT_ROW_TYPES)})
                 as v (event_id, stream_id, stream_version, type, schema_version, occurred_at, correlation_id,
                       causation_id, actor, traceparent, payload){source})""")
    if records:
        ctes.append(f"""recorded as (insert into es.commands (idempotency_key, command, fingerprint, result)
            select r.* from (values {values(records, 4, 1 + events * _EVENT_PARAMS, ("text", "text", "text", "jsonb"))})
                 as r (idempotency_key, command, fingerprint, result){source})""")
    return "with " + ",\n".join(ctes) + "\nselect 1"
