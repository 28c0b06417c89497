"""A seeded chaos driver: while a scenario runs, it SIGKILLs API and worker processes, kills
PostgreSQL the way `pg_ctl -m immediate` does, SIGKILLs the Kafka broker, and freezes
processes (SIGSTOP) for 5–10 s — one fault at a time, each followed by recovery.

The seed decides everything the driver does (which fault, which process, how long, how
long between), so a failing run is repeated by its seed; only the machine's timing differs.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from shared.config import Settings
from shared.stack import start_kafka, start_postgres
from shared.stack.kafka import is_kafka_running, kafka_pid
from shared.stack.postgres import is_postgres_running, server_pid, wait_postgres
from tests.support.stack import ServiceStack

KINDS = ("kill_api", "kill_worker", "freeze", "kill_postgres", "kill_kafka")


@dataclass
class Fault:
    at_s: float
    kind: str
    target: str
    seconds: float  # how long the fault lasted (down or frozen) until recovery began


@dataclass
class ChaosLog:
    seed: int
    faults: list[Fault] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(f.kind for f in self.faults))

    def as_dict(self) -> dict:
        return {"seed": self.seed, "faults": len(self.faults), "by_kind": self.counts(),
                "log": [asdict(f) for f in self.faults]}


class Chaos:
    def __init__(self, seed: int, stack: ServiceStack, infra: Settings, *, between: tuple[float, float] = (4.0, 9.0),
                 kinds: tuple[str, ...] = KINDS, limit: int | None = None):
        self.random = random.Random(seed)
        self.stack, self.infra = stack, infra
        self.between, self.kinds, self.limit = between, kinds, limit
        self.log = ChaosLog(seed)
        self._first = self.random.sample(kinds, len(kinds))
        self._started = time.monotonic()

    async def run(self, stop: asyncio.Event) -> ChaosLog:
        """Inject faults until ``stop`` is set (or ``limit`` faults); every fault recovers before
        the next is chosen, and the last before this returns."""
        while not stop.is_set() and (self.limit is None or len(self.log.faults) < self.limit):
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.random.uniform(*self.between))
                break
            except TimeoutError:
                pass
            done = len(self.log.faults)  # each kind once first, in a seeded order; then at random
            kind = self._first[done] if done < len(self._first) else self.random.choice(self.kinds)
            await getattr(self, kind)()
        return self.log

    def _note(self, kind: str, target: str, seconds: float) -> None:
        self.log.faults.append(Fault(round(time.monotonic() - self._started, 1), kind, target, round(seconds, 1)))
        print(f"chaos: {kind} {target} ({seconds:.1f} s)", flush=True)

    def _process(self, kind: str) -> str:
        """A random running process of a kind (``-api``, ``-worker``: replicas are ``-worker-1``…)."""
        return self.random.choice(sorted(n for n in self.stack.procs if kind in n))

    async def _kill_and_respawn(self, name: str) -> None:
        self.stack.kill(name, signal.SIGKILL)
        down = self.random.uniform(0.5, 2.0)
        await asyncio.sleep(down)
        await asyncio.to_thread(self.stack.respawn, name)
        self._note("kill_api" if name.endswith("-api") else "kill_worker", name, down)

    async def kill_api(self) -> None:
        await self._kill_and_respawn(self._process("-api"))

    async def kill_worker(self) -> None:
        await self._kill_and_respawn(self._process("-worker"))

    async def freeze(self) -> None:
        name = self.random.choice(sorted(self.stack.procs))
        proc = self.stack.procs[name]
        frozen = self.random.uniform(5.0, 10.0)
        os.killpg(proc.pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(frozen)
        finally:
            os.killpg(proc.pid, signal.SIGCONT)
        self._note("freeze", name, frozen)

    async def kill_postgres(self) -> None:
        # SIGQUIT to the postmaster is `pg_ctl stop -m immediate`: no checkpoint, crash recovery
        # at the next start; every connection is cut mid-transaction.
        def start() -> None:
            start_postgres(self.infra)
            wait_postgres(self.infra)

        await self._crash_and_restart("kill_postgres", "postgres", server_pid(self.infra), signal.SIGQUIT,
                                      is_postgres_running, start)

    async def kill_kafka(self) -> None:
        await self._crash_and_restart("kill_kafka", "kafka", kafka_pid(self.infra), signal.SIGKILL,
                                      is_kafka_running, lambda: start_kafka(self.infra, 180.0))

    async def _crash_and_restart(self, kind: str, target: str, pid: int, sig: int, running, start) -> None:
        os.kill(pid, sig)
        started = time.monotonic()
        while running(self.infra):
            await asyncio.sleep(0.1)
        await asyncio.sleep(self.random.uniform(0.5, 3.0))
        await asyncio.to_thread(start)
        self._note(kind, target, time.monotonic() - started)
