"""The data key table (``privacy.data_keys``, shared/migrations/privacy), in the caller's transaction.

A command creates a person's key the first time it seals something of theirs, in the
command's own transaction (a command that fails leaves no key behind). Reads look keys up
to open values; an erasure destroys the key and leaves a row saying when.
"""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from shared.eventstore.errors import Conflict
from shared.privacy.cipher import Opener, Sealer, new_data_key


class PersonErased(Conflict):
    def __init__(self, subject: str, field: str | None = None):
        super().__init__(f"{subject} 的个人数据已删除，不再记录新的个人数据 / the personal data of {subject} was "
                         f"erased: no new personal data is recorded", field=field, subject=subject)


async def sealer(conn: asyncpg.Connection, subject: str, *, field: str | None = None) -> Sealer:
    """The person's key (created on first use), to seal their values with."""
    for _ in range(3):
        # One statement: insert unless present, else read. A key a concurrent command
        # created after this statement's snapshot is not seen: then the next try reads it.
        row = await conn.fetchrow(
            """with created as (insert into privacy.data_keys (subject, data_key) values ($1, $2)
                                on conflict (subject) do nothing returning data_key)
               select data_key from created
               union all select data_key from privacy.data_keys where subject = $1 limit 1""",
            subject, new_data_key(),
        )
        if row is not None:
            break
    else:
        raise RuntimeError(f"no data key for {subject} after three tries")
    if row["data_key"] is None:
        raise PersonErased(subject, field)
    return Sealer(subject, bytes(row["data_key"]))


async def opener(conn: asyncpg.Connection, subjects: Iterable[str]) -> Opener:
    """Keys of ``subjects`` to open their values; an erased (or unknown) one opens as erased."""
    wanted = sorted(set(subjects))
    rows = await conn.fetch("select subject, data_key from privacy.data_keys where subject = any($1::text[])", wanted)
    keys: dict[str, bytes | None] = dict.fromkeys(wanted)
    keys.update({r["subject"]: bytes(r["data_key"]) if r["data_key"] is not None else None for r in rows})
    return Opener(keys)


async def erase(conn: asyncpg.Connection, subject: str) -> bool:
    """Destroy the person's key (a row says when, even for a person who never had one).
    True when a key was destroyed now, False when it was already gone."""
    live = await conn.fetchval(
        "select data_key is not null from privacy.data_keys where subject = $1 for update", subject)
    await conn.execute(
        """insert into privacy.data_keys (subject, data_key, erased_at) values ($1, null, now())
           on conflict (subject) do update set data_key = null,
               erased_at = coalesce(privacy.data_keys.erased_at, excluded.erased_at)""",
        subject,
    )
    return bool(live)


class PgDataKeys:
    """The key table over one command's connection: what handlers reach as
    ``uow.adapter(PgDataKeys)`` (``shared/privacy/memory.py`` is its in-memory twin)."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def sealer(self, subject: str, *, field: str | None = None) -> Sealer:
        return await sealer(self.conn, subject, field=field)

    async def opener(self, subjects: Iterable[str]) -> Opener:
        return await opener(self.conn, subjects)

    async def erase(self, subject: str) -> bool:
        return await erase(self.conn, subject)


async def reclaim(conn: asyncpg.Connection) -> None:
    """Rewrite the key table so the rows that held destroyed keys leave its files (an UPDATE
    only marks them dead). Outside a transaction; the table is small (one row a person)."""
    await conn.execute("vacuum full privacy.data_keys")
