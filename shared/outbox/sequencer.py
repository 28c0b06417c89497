"""The sequencer: orders committed events into the log, with a hash-chain link each.

It reads events whose sequencing key is older than every transaction still running
(``tx < es.horizon()``, this database's) — so a writer that commits late is never skipped — in key
order, and gives each a dense global position and a hash-chain link, in one statement. The
key is the writer's transaction id raised to that of the stream's previous event, so a
stream's positions follow its versions (docs/reliability.md). Its checkpoint is
``es.relay_state.last_tx/last_row/last_position/last_hash``, written in the same statement
as the log rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import asyncpg

from shared.contracts.audit import ChainCheckpointed
from shared.eventstore import CommandMeta, EventStore, chain
from shared.eventstore.store import EVENT_COLUMNS


@dataclass(frozen=True)
class Sequenced:
    """One batch just put into the log: ``after`` is the position before its first row."""

    after: int
    rows: list[dict] = field(default_factory=list)  # event columns, ``position`` and ``chain_hash``

    def __len__(self) -> int:
        return len(self.rows)


class Sequencer:
    def __init__(self, pool: asyncpg.Pool, *, batch_size: int = 1000):
        self.pool = pool
        self.batch_size = batch_size

    async def sequence(self) -> Sequenced:
        # One round trip while idle: the probe reads the checkpoint and what lies beyond it
        # outside any transaction (this process is the only sequencer), so it has no xid of
        # its own holding the horizon back. Only when there is something does it write, in
        # one statement (atomic without a transaction).
        async with self.pool.acquire() as conn:
            # The cursor is the inner scan's bound (lateral): a join filter instead would walk
            # the index from the log's first event on every probe — O(log) per probe.
            rows = await conn.fetch(
                f"""with s as (select last_tx, last_row, last_position, last_hash from es.relay_state limit 1)
                    select {EVENT_COLUMNS}, e.tx, s.last_position, s.last_hash
                    from s cross join lateral (
                        select * from es.events e
                        where (e.tx, e.id) > (s.last_tx, s.last_row)
                          and e.tx < es.horizon()
                        order by e.tx, e.id limit $1) e
                    order by e.tx, e.id""",
                self.batch_size,
            )
            if not rows:
                return Sequenced(after=-1)
            start = rows[0]["last_position"]
            position, previous = start, bytes(rows[0]["last_hash"])
            positions, hashes = [], []
            for row in rows:
                position += 1
                previous = chain.link(previous, position, row)
                positions.append(position)
                hashes.append(previous)
            await conn.execute(
                """with logged as (
                       insert into es.log (position, event_row, chain_hash)
                       select * from unnest($1::bigint[], $2::bigint[], $3::bytea[]))
                   update es.relay_state set last_tx = $4, last_row = $5, last_position = $6, last_hash = $7""",
                positions, [row["id"] for row in rows], hashes,
                rows[-1]["tx"], rows[-1]["id"], position, previous,
            )
        return Sequenced(start, [dict(row, position=p, chain_hash=h) for row, p, h in zip(rows, positions, hashes)])

    async def sequence_once(self) -> int:
        """Sequence one batch; returns how many events it put into the log."""
        return len(await self.sequence())


class ChainCheckpointer:
    """Appends the chain head as a ``ChainCheckpointed`` event when enough has happened since the last."""

    def __init__(self, pool: asyncpg.Pool, *, source: str, every: int = 1000, interval: float = 60.0):
        self.pool = pool
        self.source = source
        self.every = every
        self.interval = interval
        self._last_at = time.monotonic()

    async def checkpoint_once(self) -> bool:
        """The checkpoint is itself an event of the log, so a head only counts as new when
        more than the previous checkpoint has been sequenced since."""
        async with self.pool.acquire() as conn:
            state = await conn.fetchrow("select last_position, last_hash, checkpointed_position from es.relay_state")
            fresh = state["last_position"] - state["checkpointed_position"]
            due = fresh >= self.every or (fresh > 1 and time.monotonic() - self._last_at >= self.interval)
            if not due:
                return False
            head = ChainCheckpointed(position=state["last_position"], chain_hash=bytes(state["last_hash"]).hex())
            async with conn.transaction():  # only the leading relay writes these rows
                await EventStore(self.pool, self.source).append(
                    conn, f"chain-{head.position}", 0, [head], CommandMeta(actor="system:relay"))
                await conn.execute("update es.relay_state set checkpointed_position = $1", head.position)
        self._last_at = time.monotonic()
        return True
