"""The alert events in the order of monitoring's own store, which the SSE stream and the
webhooks follow: ``position`` is the store's global position (``es.log``), the stream's
``Last-Event-ID`` and a subscription's cursor.

Read from the store itself, not from a read model fed back through Kafka: the topic has
several partitions (keyed by stream), so a model filled from it receives two alerts' events
in either order, and a reader that had passed position 12 would never see a 11 inserted
after. The sequencer makes positions visible in order, so "after my cursor" misses nothing.
Each event is given its alert's scope (district, village, team, rule, severity, audience)
from the alert's ``AlertRaised``, the first event of its stream.
"""

from __future__ import annotations

import asyncpg
import orjson

_READ = """
select l.position, e.event_id::text as event_id, e.type, e.schema_version, e.recorded_at,
       e.payload::text as payload, r.payload::text as raised
from es.log l
join es.events e on e.id = l.event_row
cross join lateral (select payload from es.events r
                    where r.stream_id = e.stream_id and r.type = 'AlertRaised'
                    order by r.stream_version limit 1) r
where l.position > $1 and e.stream_id like 'alert-%'
order by l.position
limit $2
"""


def _entry(row: asyncpg.Record) -> dict:
    raised = orjson.loads(row["raised"])
    return {"position": row["position"], "event_id": row["event_id"], "type": row["type"],
            "schema_version": row["schema_version"], "recorded_at": row["recorded_at"],
            "alert_id": raised["alert_id"], "rule_id": raised["rule_id"], "severity": raised["severity"],
            "district": raised.get("district"), "village_code": raised.get("village_code"),
            "team_id": raised.get("team_id"), "audience": raised.get("audience", []),
            "payload": orjson.loads(row["payload"])}


async def read_after(conn: asyncpg.Connection, position: int, limit: int) -> list[dict]:
    return [_entry(r) for r in await conn.fetch(_READ, position, limit)]


async def last_position(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("select coalesce(max(position), 0) from es.log")
