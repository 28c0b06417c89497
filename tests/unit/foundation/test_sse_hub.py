"""The server-sent-events hub (issue 18, item 9) behind publicity's live feed and monitoring's
alert stream: one watcher reads the log for every listener, connections are capped in total
and per client. The database is an in-memory fake here: what is tested is the fan-out's
logic; tests/e2e/publicity/test_feed.py and the monitoring stream tests run it for real."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import pytest

from shared.http.sse_hub import LogHub, StreamFull


class FakeDatabase:
    def __init__(self):
        self.changes: list[dict] = []
        self.statements = 0

    def add(self, n: int) -> None:
        start = len(self.changes)
        self.changes += [{"seq": start + i + 1, "source": "funding", "position": start + i + 1,
                          "event_type": "BudgetAppropriated", "kinds": ["money"], "district": "120110",
                          "village": None, "occurred_at": datetime(2023, 3, 1, tzinfo=UTC)} for i in range(n)]

    async def last_seq(self, conn) -> int:
        self.statements += 1
        return len(self.changes)

    async def changes_after(self, conn, seq: int, limit: int) -> list[dict]:
        self.statements += 1
        return [c for c in self.changes if c["seq"] > seq][:limit]

    @contextlib.asynccontextmanager
    async def acquire(self):
        yield self


def hub_on(db: FakeDatabase, **limits) -> LogHub:
    return LogHub(db, db.changes_after, db.last_seq, key="seq", **limits)  # type: ignore[arg-type]  # quacks like a pool


async def listener(hub: LogHub, start: int, want: int, got: list) -> None:
    """What the routes do: memory first, the database when memory does not reach back."""
    last = start
    async with hub.listening():
        while last < want:
            changes = await hub.read(last, 500)
            if not changes:
                await hub.wait_beyond(last, timeout=1)
                continue
            got.extend(c["seq"] for c in changes)
            last = changes[-1]["seq"]


async def test_one_watcher_serves_every_listener():
    db = FakeDatabase()
    db.add(10)
    hub = hub_on(db, interval=0.01)
    received = [[] for _ in range(200)]
    tasks = [asyncio.create_task(listener(hub, 10, 60, r)) for r in received]
    while hub._floor is None:  # the watcher has learnt where the log is
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    before = db.statements
    for _ in range(5):
        db.add(10)
        await asyncio.sleep(0.03)
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert all(r == list(range(11, 61)) for r in received)
    # 200 listeners, 50 changes: the database saw the watcher's polls only, not one read per listener.
    polls = db.statements - before
    assert polls < 200, polls


async def test_a_client_from_further_back_than_memory_is_sent_to_the_database():
    db = FakeDatabase()
    db.add(3)
    hub = hub_on(db, interval=0.01, keep=5)
    async with hub.listening():
        while hub._floor is None:
            await asyncio.sleep(0.01)
        db.add(20)
        while hub.latest < 23:
            await asyncio.sleep(0.01)
        assert hub.after(2, 500) is None  # before memory: the database's to serve
        assert [c["seq"] for c in hub.after(20, 500)] == [21, 22, 23]
        reads = db.statements
        assert [c["seq"] for c in await hub.read(2, 3)] == [3, 4, 5] and db.statements == reads + 1


def test_connections_are_capped_per_client_and_in_total():
    hub = hub_on(FakeDatabase(), max_connections=5, max_per_client=2)
    hub.admit("10.0.0.1")
    hub.admit("10.0.0.1")
    with pytest.raises(StreamFull, match="per client"):
        hub.admit("10.0.0.1")
    hub.admit("10.0.0.2")
    hub.admit("10.0.0.3")
    hub.admit("10.0.0.4")
    with pytest.raises(StreamFull, match="connections already"):
        hub.admit("10.0.0.5")
    hub.release("10.0.0.1")
    hub.admit("10.0.0.5")  # a slot given back is free again
    with pytest.raises(StreamFull):
        hub.admit("10.0.0.1")
