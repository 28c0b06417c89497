"""How many of a service's commands may wait in the pipeline behind it: while its backlog says
it is behind, what the pipeline carries in ``target`` seconds at the pace it has been carrying
this process's commands (Little's law: a command admitted now waits about that long).

An all-or-nothing gate on the backlog — every command while it is under the limit, none past it
— opens a second's worth of commands at the offered rate at a time, because the backlog is the
age of the oldest command waiting and only shows a burst a second later; the pipeline then needs
seconds for the burst, and with the gate sampled seconds late it idled in between (measured:
goodput 0.64× the capacity at 2.5× offered, docs/benchmarks.md). A count reacts at once: each
command admitted takes a place, each sample frees the places of what the pipeline has gone past.

Both counts are this process's own commands, so no unit of the pipeline's (events, records) is
needed. The backlog's age says when the oldest waiting command was accepted (``now − backlog``):
everything this process admitted before then has gone through; how many of its commands that
moment moved past in the last ``window`` seconds is the drain. Every API replica so keeps its
own share. Under ``engage`` × the limit the pipeline keeps up (the figure readers commit a
quarter second apart), and nothing is counted: a burst after a quiet spell goes in whole.

Pure logic over an injected clock; ``Backlog`` (backlog.py) feeds it its samples.
"""

from __future__ import annotations

import bisect
import time
from collections import deque
from collections.abc import Callable

TARGET = 0.75  # of the limit: the wait a command admitted now is allowed, at the drain measured
ENGAGE = 0.25  # of the limit: a backlog under it is the pipeline keeping up, nothing is counted
FLOOR = 16  # commands: what any process may have in the pipeline, however slow its drain was


class Pace:
    def __init__(self, limit: float, *, window: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.target = limit * TARGET
        self.engage = limit * ENGAGE
        self.window = window
        self.clock = clock
        self.allowed: float | None = None  # commands of this process in the pipeline at most; None: any
        self.admitted = 0  # since start, by this process
        self.passed = 0.0  # of those, what the pipeline had gone past at the last sample
        self._drain, self._sampled, self._admitted_then = 0.0, clock(), 0
        # (when sampled, commands admitted by then): the admission history the heads are read against.
        self._when: deque[float] = deque()
        self._count: deque[int] = deque()
        self._heads: deque[tuple[float, float]] = deque()  # (when sampled, when the oldest waiting was accepted)

    def admit(self) -> bool:
        """Whether one more command may go in now (and if so it is counted)."""
        if self.allowed is not None:
            # Gone past since the sample, at the drain measured: a sample is a quarter second or
            # more old, and counting only what it saw would hold the pipeline that much short.
            passed = min(self.passed + self._drain * (self.clock() - self._sampled), self._admitted_then)
            if self.admitted - passed >= self.allowed:
                return False
        self.admitted += 1
        return True

    def observe(self, backlog: float, at: float | None = None) -> None:
        """A new sample of the backlog, in seconds, taken ``at`` (this clock; by default now):
        how many may be in the pipeline until the next."""
        now = self.clock() if at is None else at
        head = now - backlog
        self._remember(now, head)
        if backlog < self.engage:
            self.allowed = None
            return
        self.passed = self._admitted_by(head)
        self._drain, self._sampled, self._admitted_then = self.drain(), now, self.admitted
        self.allowed = max(FLOOR, self._drain * self.target) if backlog < self.limit else 0.0

    def drain(self) -> float:
        """This process's commands the pipeline passed over per second, over the last window."""
        now, head = self._heads[-1]
        then, head_then = self._heads[0]
        for sampled, h in self._heads:  # the latest sample at least a window old
            if now - sampled < self.window:
                break
            then, head_then = sampled, h
        if now <= then:
            return 0.0
        return max(0.0, self._admitted_by(head) - self._admitted_by(head_then)) / (now - then)

    def _admitted_by(self, moment: float) -> float:
        """Commands admitted by ``moment``, read between the samples around it (the oldest
        remembered, if it lies before them all: the drain is then underestimated, never over)."""
        i = bisect.bisect_right(self._when, moment)
        if i == 0:
            return float(self._count[0])
        if i == len(self._when):
            return float(self._count[-1])
        t0, t1, c0, c1 = self._when[i - 1], self._when[i], self._count[i - 1], self._count[i]
        return c0 + (c1 - c0) * (moment - t0) / (t1 - t0)

    def _remember(self, now: float, head: float) -> None:
        self._when.append(now)
        self._count.append(self.admitted)
        self._heads.append((now, head))
        # Kept: a window of heads, and the admissions back to the oldest of their heads
        # (a backlog past the limit leaves pacing at zero whatever the drain).
        while len(self._heads) > 2 and now - self._heads[1][0] >= self.window:
            self._heads.popleft()
        horizon = min(h for _, h in self._heads) - 1.0
        while len(self._when) > 2 and self._when[1] <= horizon:
            self._when.popleft()
            self._count.popleft()
