"""One watcher per API process for the change feed, shared by every connected client.

While someone listens it reads the new changes (one index range scan every ``interval``),
keeps the most recent ``keep`` of them in memory, wakes the clients, and computes the
headline once per new change number rather than once per client. A client that is up to
date is served from memory: a thousand listeners cost the database what one does. Only a
client resuming from further back than memory holds reads the database, a batch at a time.

Connections are capped in total and per client address (``admit``): the public feed
cannot be used to hold the database's connections or the process's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import structlog

from shared.config import get_settings

from services.publicity.domain.asof import parse_as_of
from services.publicity.queries.feed import changes_after, last_seq
from services.publicity.queries.headline import headline
from services.publicity.queries.positions import log_positions

log = structlog.get_logger("xingcun.publicity.feed")


class FeedFull(Exception):
    """No room for another connection: in total, or for this client."""

    def __init__(self, message: str, limit: int):
        super().__init__(message)
        self.limit = limit


class FeedHub:
    def __init__(self, pool: asyncpg.Pool, interval: float = 0.05, *, keep: int = 5_000, batch: int = 500,
                 max_connections: int = 1_000, max_per_client: int = 8):
        self.pool = pool
        self.interval = interval
        self.batch = batch
        self.max_connections = max_connections
        self.max_per_client = max_per_client
        self.latest = 0  # the newest change number read
        self._recent: deque[dict] = deque()  # every change with seq > _floor, up to ``keep``
        self._keep = keep
        self._floor: int | None = None  # None until the watcher has started
        self._moved = asyncio.Condition()
        self._listeners = 0
        self._clients: dict[str, int] = {}
        self._task: asyncio.Task | None = None
        self._figures: tuple[int, dict] | None = None
        self._figures_lock = asyncio.Lock()
        self.reads = 0  # statements the watcher ran (the fan-out's cost, for tests and metrics)

    def admit(self, client: str) -> None:
        """Take a connection slot for ``client`` (release with ``release``), or FeedFull."""
        if self._listeners_admitted() >= self.max_connections:
            raise FeedFull(f"实时推送连接已满 / the feed has {self.max_connections} connections already",
                           self.max_connections)
        if self._clients.get(client, 0) >= self.max_per_client:
            raise FeedFull(f"每个客户端最多 {self.max_per_client} 个连接 / at most {self.max_per_client} feed "
                           f"connections per client", self.max_per_client)
        self._clients[client] = self._clients.get(client, 0) + 1

    def release(self, client: str) -> None:
        left = self._clients.get(client, 0) - 1
        if left > 0:
            self._clients[client] = left
        else:
            self._clients.pop(client, None)

    def _listeners_admitted(self) -> int:
        return sum(self._clients.values())

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
                    if self._floor is None:
                        # (Re)start: what came before now is the database's to serve.
                        self.latest = await last_seq(conn)
                        self._recent.clear()
                        self._floor = self.latest
                        self.reads += 1
                    new = await changes_after(conn, self.latest, self.batch)
                    self.reads += 1
                if new:
                    self._recent.extend(new)
                    while len(self._recent) > self._keep:
                        self._floor = self._recent.popleft()["seq"]
                    self.latest = new[-1]["seq"]
                    async with self._moved:
                        self._moved.notify_all()
                    if len(new) == self.batch:
                        continue  # more are waiting: read on without sleeping
            except (asyncpg.PostgresError, OSError) as exc:  # database away for a moment
                log.warning("feed_watch_failed", error=repr(exc))
            await asyncio.sleep(self.interval)
        self._floor = None  # nobody listens: changes are not followed, so memory would go stale

    def changes_after(self, seq: int, limit: int) -> list[dict] | None:
        """The changes after ``seq`` from memory, or None when memory does not reach back to it."""
        if self._floor is None or seq < self._floor:
            return None
        out = []
        for change in self._recent:  # ordered; the client's position is usually near the end
            if change["seq"] > seq:
                out.append(change)
                if len(out) == limit:
                    break
        return out

    async def wait_beyond(self, seq: int, timeout: float) -> None:
        async with self._moved:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait_for(lambda: self.latest > seq), timeout)

    async def figures(self) -> dict:
        """The headline now, with the change number and log positions it reflects."""
        async with self._figures_lock:
            if self._figures and self._figures[0] == self.latest and self._floor is not None:
                return self._figures[1]  # nothing new since: every client shares one computation
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
        settings = get_settings()
        hub = state.feed_hub = FeedHub(state.store.pool, max_connections=settings.feed_max_connections,
                                       max_per_client=settings.feed_max_per_client)
    return hub
