"""The business calendar as the store holds it."""

from __future__ import annotations

from datetime import date

import asyncpg


async def last_closed(conn: asyncpg.Connection) -> date | None:
    day = await conn.fetchval("""select payload->>'day' from es.events where type = 'BusinessDayClosed'
                                 order by stream_id desc, stream_version desc limit 1""")
    return date.fromisoformat(day) if day else None
