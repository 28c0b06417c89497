"""One watcher per API process for the change feed, shared by every connected client.

It polls the newest change number (a cheap index lookup) only while someone listens,
wakes the clients when it moves, and computes the headline once per new number rather
than once per client.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import structlog

from services.publicity.domain.asof import parse_as_of
from services.publicity.queries.feed import last_seq
from services.publicity.queries.headline import headline
from services.publicity.queries.positions import log_positions

log = structlog.get_logger("xingcun.publicity.feed")


class FeedHub:
    def __init__(self, pool: asyncpg.Pool, interval: float = 0.05):
        self.pool = pool
        self.interval = interval
        self.latest = 0
        self._moved = asyncio.Condition()
        self._listeners = 0
        self._task: asyncio.Task | None = None
        self._figures: tuple[int, dict] | None = None
        self._figures_lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[None]:
        self._listeners += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch())
        try:
            yield
        finally:
            self._listeners -= 1

    async def _watch(self) -> None:
        while self._listeners > 0:
            try:
                async with self.pool.acquire() as conn:
                    seq = await last_seq(conn)
                if seq != self.latest:
                    self.latest = seq
                    async with self._moved:
                        self._moved.notify_all()
            except (asyncpg.PostgresError, OSError) as exc:  # database away for a moment
                log.warning("feed_watch_failed", error=repr(exc))
            await asyncio.sleep(self.interval)

    async def wait_beyond(self, seq: int, timeout: float) -> None:
        async with self._moved:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait_for(lambda: self.latest > seq), timeout)

    async def figures(self) -> dict:
        """The headline now, with the change number and log positions it reflects."""
        async with self._figures_lock:
            async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
                seq = await last_seq(conn)
                if self._figures and self._figures[0] == seq:
                    return self._figures[1]
                asof = parse_as_of(None, datetime.now(UTC))
                body = {"seq": seq, "as_of": asof.text, "log_positions": await log_positions(conn, asof.known),
                        "headline": await headline(conn, asof)}
            self._figures = (seq, body)
            return body


def hub_of(state) -> FeedHub:
    """The process's hub, made on first use (``state`` is the app's ``state``)."""
    hub = getattr(state, "feed_hub", None)
    if hub is None:
        hub = state.feed_hub = FeedHub(state.store.pool)
    return hub
