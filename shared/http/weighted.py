"""Work in flight weighted by its size, for a route whose requests differ a thousandfold in cost
(a presence sheet of one check-in or of 2,000): at most ``capacity`` units run at once in this
process; a request that finds no room waits its turn, in order of arrival, for ``wait`` seconds
at most, then is answered 503 with Retry-After.

``AdmissionControl`` (admission.py) counts commands, one each, before their body is read: it
cannot tell a sheet of 2,000 from a single check-in. A process's memory and the database's
load follow the entries in flight, so this gate weighs each request by them. A request heavier
than the whole capacity still runs, alone: the route's own limit bounds it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from shared.http.errors import RetryLater


class WeightedGate:
    def __init__(self, capacity: int, wait: float, retry_after: int = 1):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity, self.wait, self.retry_after = capacity, wait, retry_after
        self.in_flight = 0
        self._queue: deque[tuple[int, asyncio.Future[None]]] = deque()

    @asynccontextmanager
    async def admit(self, weight: int) -> AsyncIterator[None]:
        """Hold ``weight`` units (at least one, at most the capacity) while the block runs."""
        weight = min(max(weight, 1), self.capacity)
        if not self._queue and self.in_flight + weight <= self.capacity:
            self.in_flight += weight
        else:
            await self._wait_turn(weight)
        try:
            yield
        finally:
            self.in_flight -= weight
            self._let_in()

    async def _wait_turn(self, weight: int) -> None:
        turn = (weight, asyncio.get_running_loop().create_future())
        self._queue.append(turn)
        try:
            await asyncio.wait([turn[1]], timeout=self.wait)
        except asyncio.CancelledError:  # the client went away while it waited
            self._give_up(turn)
            raise
        if not turn[1].done():
            self._give_up(turn)
            raise self._overloaded()

    def _give_up(self, turn: tuple[int, asyncio.Future[None]]) -> None:
        if turn[1].done():  # let in just as it gave up: the units are its own to return
            self.in_flight -= turn[0]
        else:
            self._queue.remove(turn)
            turn[1].cancel()
        self._let_in()  # a heavy request at the head may have held lighter ones back

    def _let_in(self) -> None:
        """First come, first in: a heavy request is not passed by ever lighter ones."""
        while self._queue and self.in_flight + self._queue[0][0] <= self.capacity:
            weight, admitted = self._queue.popleft()
            self.in_flight += weight
            admitted.set_result(None)

    def _overloaded(self) -> RetryLater:
        return RetryLater(self.retry_after, f"服务繁忙：处理中的条目已达 {self.capacity} 条，请 {self.retry_after} 秒后重试",
                          f"busy: {self.capacity} entries in progress, retry after {self.retry_after} s",
                          "overloaded", limit=self.capacity)
