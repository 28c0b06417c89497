"""How far a service's own log has come, read from the relay's cursor (``es.relay_state``)
without being the relay: for readers that must know when their own committed events have
reached a projection."""

from __future__ import annotations

import asyncpg


async def sequenced(conn: asyncpg.Connection) -> int:
    """The last position the relay has given an event in the log."""
    return await conn.fetchval("select last_position from es.relay_state")


async def committed(conn: asyncpg.Connection) -> int:
    """How many events the service has committed: the sequenced position plus those committed
    but still beyond the relay's cursor (positions are dense, so a projection of this log is
    complete up to now once it has applied that many)."""
    return await conn.fetchval(
        """select s.last_position + (select count(*) from es.events e where (e.tx, e.id) > (s.last_tx, s.last_row))
           from es.relay_state s""")
