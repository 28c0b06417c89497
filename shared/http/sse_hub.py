"""One watcher per API process over an append-only log with increasing positions, shared by
every server-sent-events client of that process (bounded fan-out).

While someone listens it reads what is new (one index range scan every ``interval``),
keeps the most recent ``keep`` entries in memory and wakes the clients: a thousand
listeners cost the database what one does. Only a client resuming from further back than
memory holds reads the database itself, a batch at a time. Connections are capped in total
and per client address (``admit``), so a stream cannot be used to hold the database's
connections or the process's memory.

A service gives the two reads of its own log (publicity's change feed adds its figures:
``services/publicity/adapters/feed_hub.py``; monitoring's alert stream is a plain one).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import asyncpg
import structlog
from fastapi import Depends, Header, Query, Request
from sse_starlette import EventSourceResponse
from starlette.types import Receive, Scope, Send

from shared.http.errors import RetryLater

log = structlog.get_logger("xingcun.sse")

MAX_POSITION = 2**63 - 1  # positions are PostgreSQL bigints
Entry = dict[str, Any]
ReadAfter = Callable[[asyncpg.Connection, int, int], Awaitable[list[Entry]]]  # (conn, position, limit)
LastPosition = Callable[[asyncpg.Connection], Awaitable[int]]
Greet = Callable[[], Awaitable[tuple[int, dict]]]  # a new client's starting position and first message
Render = Callable[[list[Entry]], AsyncIterator[dict]]  # the messages a batch of entries makes


class StreamFull(Exception):
    """No room for another connection: in total, or for this client."""

    def __init__(self, zh: str, en: str, limit: int):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en, self.limit = zh, en, limit


class LogHub:
    """Entries are dicts ordered by ``entry[key]`` (a bigint position, strictly increasing)."""

    def __init__(self, pool: asyncpg.Pool, read_after: ReadAfter, last_position: LastPosition, *,
                 key: str = "position", interval: float = 0.05, keep: int = 5_000, batch: int = 500,
                 max_connections: int = 1_000, max_per_client: int = 8):
        self.pool, self._read_after, self._last_position, self.key = pool, read_after, last_position, key
        self.interval, self.batch = interval, batch
        self.max_connections, self.max_per_client = max_connections, max_per_client
        self.latest = 0  # the newest position read
        self._recent: deque[Entry] = deque()  # every entry after _floor, up to ``keep``
        self._keep = keep
        self._floor: int | None = None  # None until the watcher has started
        self._moved = asyncio.Condition()
        self._listeners = 0
        self._clients: dict[str, int] = {}
        self._task: asyncio.Task | None = None
        self.reads = 0  # statements the watcher ran (the fan-out's cost, for tests and metrics)

    def admit(self, client: str) -> None:
        """Take a connection slot for ``client`` (give it back with ``release``), or StreamFull."""
        if sum(self._clients.values()) >= self.max_connections:
            raise StreamFull("实时推送连接已满", f"the stream has {self.max_connections} connections already",
                             self.max_connections)
        if self._clients.get(client, 0) >= self.max_per_client:
            raise StreamFull(f"每个客户端最多 {self.max_per_client} 个连接",
                             f"at most {self.max_per_client} stream connections per client", self.max_per_client)
        self._clients[client] = self._clients.get(client, 0) + 1

    def release(self, client: str) -> None:
        left = self._clients.get(client, 0) - 1
        if left > 0:
            self._clients[client] = left
        else:
            self._clients.pop(client, None)

    @contextlib.asynccontextmanager
    async def listening(self) -> AsyncIterator[None]:
        self._listeners += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch())
        try:
            yield
        finally:
            self._listeners -= 1

    async def started(self) -> int:
        """Wait until the watcher has read its starting point; that position."""
        while self._floor is None:
            await asyncio.sleep(self.interval / 5)
        return self._floor

    async def _watch(self) -> None:
        while self._listeners > 0:
            try:
                async with self.pool.acquire() as conn:
                    if self._floor is None:
                        # (Re)start: what came before now is the database's to serve.
                        self.latest = await self._last_position(conn)
                        self._recent.clear()
                        self._floor = self.latest
                        self.reads += 1
                    new = await self._read_after(conn, self.latest, self.batch)
                    self.reads += 1
                if new:
                    self._recent.extend(new)
                    while len(self._recent) > self._keep:
                        self._floor = self._recent.popleft()[self.key]
                    self.latest = new[-1][self.key]
                    async with self._moved:
                        self._moved.notify_all()
                    if len(new) == self.batch:
                        continue  # more are waiting: read on without sleeping
            except (asyncpg.PostgresError, OSError) as exc:  # database away for a moment
                log.warning("sse_watch_failed", error=repr(exc))
            await asyncio.sleep(self.interval)
        self._floor = None  # nobody listens: the log is not followed, so memory would go stale

    def after(self, position: int, limit: int) -> list[Entry] | None:
        """The entries after ``position`` from memory, or None when memory does not reach back to it."""
        if self._floor is None or position < self._floor:
            return None
        out = []
        for entry in self._recent:  # ordered; a client's position is usually near the end
            if entry[self.key] > position:
                out.append(entry)
                if len(out) == limit:
                    break
        return out

    async def read(self, position: int, limit: int) -> list[Entry]:
        """The entries after ``position``: from memory when it reaches back, else from the database."""
        entries = self.after(position, limit)
        if entries is None:
            async with self.pool.acquire() as conn:
                entries = await self._read_after(conn, position, limit)
        return entries

    def stream(self, request: Request, messages: AsyncIterator[dict], *, ping: float) -> EventSourceResponse:
        """Admit the caller — 429 with Retry-After when the stream is full — and send it
        ``messages``; its slot is given back however the stream ends."""
        client = request.client.host if request.client else "unknown"
        try:
            self.admit(client)
        except StreamFull as exc:
            raise RetryLater(30, exc.zh, exc.en, "too_many_connections", loc=["header", "Connection"],
                             status_code=429, limit=exc.limit) from exc
        return AdmittedStream(messages, ping=ping, release=lambda: self.release(client))

    async def messages(self, request: Request, resume: int | None, greet: Greet, render: Render, *,
                       heartbeat: float, batch: int = 500) -> AsyncIterator[dict]:
        """One client's messages: ``greet``'s first (for a new client: the position it starts
        from, and what to send it), then ``render``'s of every batch of entries after that
        position as they come, until the client goes. With nothing new it waits up to
        ``heartbeat`` at a time (the stream's ping keeps the line open)."""
        async with self.listening():
            if resume is None:
                position, hello = await greet()
                yield hello
            else:
                position = resume
            while not await request.is_disconnected():
                entries = await self.read(position, batch)  # memory, or the database from further back
                if not entries:
                    await self.wait_beyond(position, timeout=heartbeat)
                    continue
                position = entries[-1][self.key]
                async for message in render(entries):
                    yield message

    async def wait_beyond(self, position: int, timeout: float) -> None:
        async with self._moved:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait_for(lambda: self.latest > position), timeout)


def resume_point(
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_POSITION,
                                                description="断线续传：此编号之后 / resume after this id")] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="同上（查询参数）/ the same, as a query "
                                                                           "parameter")] = None,
) -> int | None:
    """Where a client resumes: browsers send ``Last-Event-ID`` by themselves on reconnecting."""
    return last_event_id if last_event_id is not None else after


Resume = Annotated[int | None, Depends(resume_point)]


class AdmittedStream(EventSourceResponse):
    """The stream of an admitted client: its slot is given back however the stream ends
    (even one that never started because the client went at once)."""

    def __init__(self, *args, release: Callable[[], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()
