"""How far a whole stack has got: every event published, every projection (reactors
included) caught up, and the events the programme's commands and their reactions recorded.

A reactor's reactions are events of their own that it (or another) reads again — monitoring's
watch escalates alerts on each business day it reads back — so "caught up" is checked
again until the counts stop moving (``settled_programme_events``).
"""

from __future__ import annotations

import asyncio
import importlib
import time

from shared.config import SERVICES, Settings
from shared.db import connect

# What the programme's commands and their reactions recorded: without the checkpoints, and
# without monitoring's operations alerts (a projection lagging, a record held aside), which
# follow the wall clock and the faults, not the plan: a second drive may well raise one.
PROGRAMME_EVENTS = """
select count(*) from es.events e
 where e.type <> 'ChainCheckpointed'
   and not exists (select 1 from es.events raised
                    where raised.stream_id = e.stream_id and raised.type = 'AlertRaised'
                      and raised.payload->>'rule_id' like 'ops.%')"""


def projections_of(service: str) -> list:
    return importlib.import_module(f"services.{service}.projections").PROJECTIONS


async def log_state(settings: Settings, service: str) -> dict:
    conn = await connect(settings.dsn(service))
    try:
        state = await conn.fetchrow("select last_position, published_position from es.relay_state")
        return {
            "events": await conn.fetchval("select count(*) from es.events"),
            "domain_events": await conn.fetchval("select count(*) from es.events where type <> 'ChainCheckpointed'"),
            "programme_events": await conn.fetchval(PROGRAMME_EVENTS),
            "sequenced": state["last_position"], "published": state["published_position"],
            "keys": {r["k"] for r in await conn.fetch(
                "select split_part(idempotency_key, E'\\n', 2) as k from es.commands")},
        }
    finally:
        await conn.close()


async def wait_all_published(settings: Settings, timeout: float = 180.0) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while True:
        states = {s: await log_state(settings, s) for s in SERVICES}
        if all(v["events"] == v["sequenced"] == v["published"] for v in states.values()):
            return states
        assert time.monotonic() < deadline, {s: {k: v for k, v in st.items() if k != "keys"} for s, st in states.items()}
        await asyncio.sleep(0.5)


async def wait_projections_caught_up(settings: Settings, timeout: float = 300.0) -> None:
    """Every projection of every service has applied its topics up to their end offsets."""
    from shared.messaging.end_offsets import EndOffsets

    ends = EndOffsets(settings)
    deadline = time.monotonic() + timeout
    try:
        while True:
            behind = []
            for service in SERVICES:
                for projection in projections_of(service):
                    topics = [settings.topic(s) for s in projection.sources]
                    end = await ends.of(topics)
                    conn = await connect(settings.dsn(service))
                    try:
                        done = {(r["topic"], r["partition"]): r["offset"] for r in await conn.fetch(
                            'select topic, partition, "offset" from proj.positions where projection = $1',
                            projection.name)}
                    finally:
                        await conn.close()
                    # proj.positions holds the last offset applied; the end is the next to come.
                    behind += [f"{service}.{projection.name} {t}/{p}: {done.get((t, p), -1)} of {e}"
                               for (t, p), e in end.items() if done.get((t, p), -1) < e - 1]
            if not behind:
                return
            assert time.monotonic() < deadline, behind[:5]
            await asyncio.sleep(1.0)
    finally:
        await ends.close()


async def settled_programme_events(settings: Settings, timeout: float = 600.0) -> dict[str, int]:
    """Per service, the programme's events once every reaction has played out: published,
    applied by every projection, and the same count twice in a row."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        await wait_projections_caught_up(settings, timeout=max(1.0, deadline - time.monotonic()))
        counts = {s: st["programme_events"] for s, st in (await wait_all_published(settings)).items()}
        if counts == last:
            return counts
        assert time.monotonic() < deadline, counts
        last = counts
        await asyncio.sleep(1.0)
