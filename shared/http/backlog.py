"""How long what a service has accepted waits before the figures show it: the backlog that
admission control refuses commands on (shared/http/admission.py).

An API that answers fast accepts commands faster than the pipeline behind it carries them;
counting commands in flight at the door never sees that queue (measured: at 2.5× capacity,
none refused, accepted commands' p99 to the read model 32–41 s). The queue lives in two
places, and both are sampled here every ``interval`` seconds:

- the service's own log, not yet published: the age of the oldest such event (PostgreSQL);
- the topic, not yet consumed by the workers that make the figures
  (``shared.messaging.acls.FIGURE_READERS``): the age of the oldest record they have not
  committed (shared/messaging/consumer_lag.py). A reader with no member is left out: a
  stopped worker is monitoring's alert (``ops.projection_lag``), not a reason to stop the
  programme's registrations.

The broker or the database away fails open (the sample says nothing): the command path has
its own answers for that (503 from the store, the relay's retries).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections.abc import Callable

import asyncpg
import structlog

from shared.config import Settings
from shared.db import create_pool
from shared.http.pace import Pace
from shared.messaging.acls import FIGURE_READERS, app_id
from shared.messaging.consumer_lag import ConsumerLag

log = structlog.get_logger("xingcun.admission")

# The first sequenced event past the published cursor, else the first not yet sequenced.
UNPUBLISHED_SINCE = """
select coalesce(
    (select e.recorded_at from es.relay_state s join es.log l on l.position = s.published_position + 1
     join es.events e on e.id = l.event_row),
    (select min(e.recorded_at) from es.events e, es.relay_state s where (e.tx, e.id) > (s.last_tx, s.last_row)))
"""


class Backlog:
    """The last sample of the service's backlog, in seconds; past ``limit`` no command goes in,
    and from a quarter of it on no more of them wait in the pipeline than it carries in three
    quarters of it (pace.py)."""

    def __init__(self, service: str, settings: Settings, limit: float, interval: float = 0.25):
        self.service = service
        self.settings = settings
        self.limit = limit
        self.interval = interval
        self.seconds = 0.0
        self.pace = Pace(limit)
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None

    def retry_after(self) -> int | None:
        """Seconds a client should wait while the backlog is past the limit (about what it holds
        beyond); None: under the limit."""
        if self.seconds <= self.limit:
            return None
        return min(60, max(1, math.ceil(self.seconds - self.limit)))

    def admit(self) -> int | None:
        """None: one more command goes in (counted as admitted); else the seconds to wait."""
        wait = self.retry_after()
        if wait is not None:
            return wait
        return None if self.pace.admit() else 1

    def observe(self, seconds: float, at: float | None = None) -> None:
        self.seconds = seconds
        self.pace.observe(seconds, at)

    async def unpublished(self, pool: asyncpg.Pool) -> float:
        async with pool.acquire() as conn:
            since = await conn.fetchval(f"select extract(epoch from clock_timestamp() - ({UNPUBLISHED_SINCE}))")
        return max(0.0, float(since)) if since is not None else 0.0

    async def unconsumed(self, lag: ConsumerLag) -> float:
        topic = self.settings.topic(self.service)
        worst = 0.0
        for reader in FIGURE_READERS:
            group = app_id(reader, self.settings.topic_prefix)
            if await lag.running(group):
                found = await lag.behind(group, [topic])
                worst = max(worst, found[0] if found else 0.0)
        return worst

    def start(self, dsn: str) -> None:
        """Sample on a thread of its own, with its own event loop, connection and Kafka clients,
        each sample handed to this loop's admission. On the API's loop, behind the very commands
        it is to hold back, a sample took up to 6 s instead of a quarter second (measured at
        2.5× capacity): the gate opened and closed seconds late."""
        main = asyncio.get_running_loop()

        def report(seconds: float) -> None:
            with contextlib.suppress(RuntimeError):  # the API's loop closing: nothing to admit
                main.call_soon_threadsafe(self.observe, seconds, time.monotonic())  # the clock Pace reads

        self._halt.clear()
        self._thread = threading.Thread(target=asyncio.run, args=(self._apart(dsn, report),),
                                        name=f"backlog-{self.service}", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        if self._thread is not None:
            self._halt.set()
            await asyncio.to_thread(self._thread.join)
            self._thread = None

    async def _apart(self, dsn: str, report: Callable[[float], None]) -> None:
        stopping = asyncio.Event()

        async def halted() -> None:
            while not self._halt.is_set():
                await asyncio.sleep(0.05)
            stopping.set()

        watch = asyncio.create_task(halted())
        try:
            while not stopping.is_set():
                try:
                    pool = await create_pool(dsn, min_size=1, max_size=1)
                except Exception as exc:  # noqa: BLE001 - the database away: fail open, try again
                    log.warning("backlog_sample_failed", error=repr(exc))
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), 1.0)
                    continue
                try:
                    await self.run(pool, stopping, report)
                finally:
                    await pool.close()
        finally:
            watch.cancel()

    async def run(self, pool: asyncpg.Pool, stopping: asyncio.Event,
                  report: Callable[[float], None] | None = None) -> None:
        """Sample every ``interval`` until ``stopping``, handing each sample to ``report``
        (by default ``observe``, on this loop)."""
        report = report or self.observe
        lag = ConsumerLag(self.settings)
        try:
            while not stopping.is_set():
                report(max(await self._safely(self.unpublished(pool)), await self._safely(self._unconsumed(lag))))
                try:
                    await asyncio.wait_for(stopping.wait(), self.interval)
                except TimeoutError:
                    pass
        finally:
            await lag.close()

    async def _unconsumed(self, lag: ConsumerLag) -> float:
        if lag.admin is None:
            await lag.start()
        return await self.unconsumed(lag)

    @staticmethod
    async def _safely(sample) -> float:
        try:
            return await sample
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - fail open, sample again next time
            log.warning("backlog_sample_failed", error=repr(exc))
            return 0.0
