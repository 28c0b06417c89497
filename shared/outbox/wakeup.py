"""Waking the relay when a command commits, without a NOTIFY in the command's transaction.

A ``pg_notify`` inside every appending transaction makes PostgreSQL commit them one at a
time (the notification queue lock is held from pre-commit to commit). So the API process
notifies *after* its commands commit, on a connection of its own, and folds the commits
that happen while one notification is on its way, or within ``spacing`` of the last, into
the next: a quiet API wakes the relay at once, a busy one sends at most one NOTIFY every
``spacing`` seconds instead of one per command. The relay listens and still polls, so a
lost or missing notification (another replica, a reactor in the worker) only costs the
poll interval.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

log = structlog.get_logger("xingcun.relay")
CHANNEL = "xingcun_events_committed"


class CommitSignal:
    """``poke()`` after a commit; a task of its own sends the NOTIFY."""

    def __init__(self, pool: asyncpg.Pool, spacing: float = 0.002):
        self.pool = pool
        self.spacing = spacing
        self._poked = asyncio.Event()
        self._task: asyncio.Task | None = None

    def poke(self) -> None:
        self._poked.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._send(), name="commit-signal")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _send(self) -> None:
        while True:
            await self._poked.wait()
            self._poked.clear()
            try:
                async with self.pool.acquire() as conn:
                    await conn.execute("select pg_notify($1, '')", CHANNEL)
            except Exception as exc:  # noqa: BLE001 - database away: the relay's poll covers it; keep going
                log.warning("commit_signal_failed", error=repr(exc))
                await asyncio.sleep(1.0)
            await asyncio.sleep(self.spacing)


class Wakeup:
    """The relay's side: set when a notification arrives on its listening connection."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def _heard(self, *_: object) -> None:
        self.event.set()

    async def listen(self, conn: asyncpg.Connection) -> None:
        await conn.add_listener(CHANNEL, self._heard)

    async def unlisten(self, conn: asyncpg.Connection) -> None:
        await conn.remove_listener(CHANNEL, self._heard)

    async def sleep(self, stopping: asyncio.Event, seconds: float) -> None:
        """Until a notification, ``stopping``, or ``seconds`` — whichever comes first."""
        if not self.event.is_set() and not stopping.is_set():
            waits = {asyncio.ensure_future(self.event.wait()), asyncio.ensure_future(stopping.wait())}
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
            for task in waits:
                task.cancel()
        self.event.clear()
