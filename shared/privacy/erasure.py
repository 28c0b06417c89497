"""Erasing a person: destroy their data key and say so on their own stream, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.audit import PersonalDataErased
from shared.eventstore import CommandMeta, EventStore
from shared.eventstore.errors import ConcurrencyError, NotFound
from shared.privacy import keys
from shared.outbox.wakeup import CHANNEL

TRIES = 3


@dataclass(frozen=True)
class Erasure:
    subject: str
    key_destroyed: bool  # False: there was no key left to destroy (erased before, or never sealed)
    event_recorded: bool  # False: the stream said so already (a repeated erasure changes nothing)


async def erase_person(store: EventStore, subject: str, actor: str) -> Erasure:
    """Destroy ``subject``'s data key and append ``PersonalDataErased`` to the stream
    ``subject`` (the person's). Idempotent. The events are left as they are: the hash chain,
    the topics and every figure stay the same; only the sealed values can no longer be opened."""
    async with store.pool.acquire() as conn:
        for attempt in range(TRIES):
            try:
                async with conn.transaction():
                    types = [r["type"] for r in await conn.fetch(
                        "select type from es.events where stream_id = $1 order by stream_version", subject)]
                    if not types:
                        raise NotFound(f"未找到 {subject} / no stream {subject}: nobody to erase", field="person")
                    destroyed = await keys.erase(conn, subject)
                    recorded = PersonalDataErased.event_type not in types
                    if recorded:  # a command appending meanwhile makes this fail whole: then again
                        await store.append(conn, subject, len(types), [PersonalDataErased(subject=subject)],
                                           CommandMeta(actor=actor))
                break
            except ConcurrencyError:
                if attempt == TRIES - 1:
                    raise
        await conn.execute("select pg_notify($1, '')", CHANNEL)  # the relay publishes it now, not at its next poll
        await keys.reclaim(conn)
    return Erasure(subject, destroyed, recorded)
