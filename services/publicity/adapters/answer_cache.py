"""答复缓存 / rendered statistics answers, kept per state of the read model, computed once.

A statistics answer is a function of the request (path, parameters, reader) and of what the
read model has applied: per projection and Kafka partition, the offset reached
(``proj.positions``, written in the same transaction as the model). Two requests that agree
on both get the same answer, so the answer is kept under that pair and computed once however
many readers ask at the same moment (single flight). When the offsets move, the entries of
older states can no longer be asked for and are dropped.

Why offsets and not the highest global position per source (``stats.applied_*``): a topic has
several partitions, and a partition behind the others can deliver an event of a lower position
after the watermark has passed it; the watermark would not move, the figures would.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalesced(Generic[T]):
    """Concurrent callers share one run of ``read``, and none gets a run that started before it asked.

    A caller joins the run queued next; that run starts when the one in flight ends. So at most
    one read is in flight, one is queued, and every answer reflects the state after the caller
    arrived — one small query per round instead of one per request.
    """

    def __init__(self, read: Callable[[], Awaitable[T]]):
        self._read = read
        self._queued: asyncio.Future[T] | None = None
        self._running: asyncio.Task | None = None

    async def __call__(self) -> T:
        if self._queued is None:
            self._queued = asyncio.get_running_loop().create_future()
            previous, queued = self._running, self._queued
            self._running = asyncio.ensure_future(self._run(previous, queued))
        return await asyncio.shield(self._queued)

    async def _run(self, previous: asyncio.Task | None, queued: asyncio.Future[T]) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        if self._queued is queued:
            self._queued = None  # from now on, newcomers queue behind this run
        try:
            queued.set_result(await self._read())
        except BaseException as exc:  # noqa: BLE001 — handed to every waiter
            queued.set_exception(exc)
            queued.exception()  # a run nobody awaits any more must not log "never retrieved"


@dataclass(frozen=True)
class Sized:
    """What the cache holds: a value and the bytes it is counted as."""

    value: object
    size: int


class AnswerCache:
    """A bounded LRU of answers per read-model state, filled once per key however many ask.

    Keys are ``(state, request_key)``; ``state`` identifies what the read model has applied.
    """

    def __init__(self, max_entries: int = 2048, max_bytes: int = 64 * 2**20):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[tuple[str, Hashable], Sized] = OrderedDict()
        self._bytes = 0
        self._flights: dict[tuple[str, Hashable], asyncio.Future] = {}
        self._state: str | None = None
        self.fills = 0  # answers computed (observable by tests and the benchmark)

    def observe(self, state: str) -> None:
        """The read model is at ``state`` now: answers of every other state can go."""
        if state != self._state:
            self._state = state
            for key in [k for k in self._entries if k[0] != state]:
                self._bytes -= self._entries.pop(key).size

    def holds(self, key: Hashable) -> bool:
        """Whether an answer is kept for ``key`` under the latest state observed."""
        return (self._state, key) in self._entries

    def get(self, state: str, key: Hashable) -> object | None:
        found = self._entries.get((state, key))
        if found is None:
            return None
        self._entries.move_to_end((state, key))
        return found.value

    async def get_or_fill(self, state: str, key: Hashable,
                          fill: Callable[[], Awaitable[tuple[str, object, int | None]]]) -> object:
        """The answer kept for ``(state, key)``, or the one ``fill`` computes.

        ``fill`` returns ``(its_state, value, size)``: the state of the snapshot it read, which
        may be newer than ``state``; the value is kept (unless ``size`` is None) under its own
        state, if that is the latest observed (and returned to
        everyone waiting: it is at least as fresh as what they asked for). An error reaches
        every waiter and is not kept. A waiter that gives up (its client went away) does not
        cancel the fill for the others.
        """
        if (found := self.get(state, key)) is not None:
            return found
        flight = self._flights.get((state, key))
        if flight is None:
            flight = asyncio.ensure_future(self._fill(state, key, fill))
            self._flights[(state, key)] = flight
        return await asyncio.shield(flight)

    async def _fill(self, state: str, key: Hashable, fill) -> object:
        try:
            its_state, value, size = await fill()
            self.fills += 1
            if size is not None and its_state == self._state:
                self._put((its_state, key), Sized(value, size))
            return value
        finally:
            self._flights.pop((state, key), None)

    def _put(self, key: tuple[str, Hashable], entry: Sized) -> None:
        if entry.size > self.max_bytes // 4:
            return  # one huge answer must not push out everything else
        if (old := self._entries.pop(key, None)) is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += entry.size
        while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._entries)
