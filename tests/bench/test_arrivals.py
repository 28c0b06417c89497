"""The end-to-end benchmark's watcher: a command forgotten while its arrival was being read."""

from __future__ import annotations

import asyncio

from bench import load
from bench.load import Arrivals


class OneQuery:
    """A read model in which both villages have arrived; the first query's answer comes back
    after the load generator gave up on one of them."""

    def __init__(self, arrivals: Arrivals, done: asyncio.Event):
        self.arrivals, self.done = arrivals, done

    async def fetch(self, _sql: str, codes: list[str]) -> list[dict]:
        self.arrivals.forget("late")  # not answered in time: counted as failed
        self.done.set()
        return [{"code": c} for c in codes]

    async def close(self) -> None:
        pass


def test_a_command_forgotten_while_its_arrival_is_read_is_not_a_latency(monkeypatch):
    arrivals, done = Arrivals("postgresql://unused"), asyncio.Event()
    arrivals.expect("late", 1.0)
    arrivals.expect("answered", 1.0)

    async def connect(_dsn):
        return OneQuery(arrivals, done)

    monkeypatch.setattr(load.asyncpg, "connect", connect)
    asyncio.run(arrivals.watch(done, drain=1.0))
    assert set(arrivals.latencies) == {"answered"} and not arrivals.pending
