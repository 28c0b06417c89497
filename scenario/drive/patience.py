"""Waiting for the pipeline behind the services for as long as it keeps moving.

A fixed timeout is wrong both ways: under load a full run's catch-up took longer than any
figure chosen beforehand (and a check made before it was over compared half-read facts), while
a pipeline that has stopped is found only when the timeout ends. So a wait gives up after
``stall`` seconds in which what is left to do never fell below its least so far, or, as a
backstop, after ``ceiling`` seconds in all; meanwhile it says how far it is, every
``SAY_EVERY`` seconds.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

from rich.console import Console

STALL_SECONDS = 300.0  # the projections apply a batch in seconds: five minutes without any is a stop
CEILING_SECONDS = 1800.0  # monitoring reads everything the drive did (tens of minutes under load)
SAY_EVERY = 15.0

_console = Console()


class Patience:
    """How long a wait for ``what`` (Chinese, English) goes on, judged from what is left to do."""

    def __init__(self, zh: str, en: str, *, stall: float = STALL_SECONDS, ceiling: float = CEILING_SECONDS,
                 say: Callable[[str], object] | None = None, clock: Callable[[], float] = time.monotonic):
        self.zh, self.en, self.stall, self.ceiling = zh, en, stall, ceiling
        self.say = say or _console.print
        self.clock = clock
        self.started = self.moved = self.said = clock()
        self.least = math.inf

    def heard(self, left: float | None) -> None:
        """What is left now (None: not known, such as a lag not yet sampled). Progress is a
        new least: a figure that only goes up and down again is not."""
        now = self.clock()
        if left is not None and left < self.least:
            self.least, self.moved = left, now
        if now - self.said >= SAY_EVERY:
            self.said = now
            shown = "?" if left is None else f"{left:,.0f}"
            self.say(f"等待{self.zh}：尚余 {shown}，已等 {now - self.started:.0f} 秒，"
                     f"{now - self.moved:.0f} 秒前仍有进展 / waiting for {self.en}: {shown} left after "
                     f"{now - self.started:.0f} s, last progress {now - self.moved:.0f} s ago")

    def aim_anew(self) -> None:
        """A new goal (more work came in once the last was reached): its distance starts afresh."""
        self.least = math.inf

    @property
    def exhausted(self) -> bool:
        now = self.clock()
        return now - self.moved >= self.stall or now - self.started >= self.ceiling

    def why(self) -> tuple[str, str]:
        """Why it gave up: Chinese, English."""
        if self.clock() - self.started >= self.ceiling:
            return f"已等满上限 {self.ceiling:.0f} 秒", f"waited the full {self.ceiling:.0f} s allowed"
        return f"{self.stall:.0f} 秒内毫无进展", f"no progress in {self.stall:.0f} s"


async def while_progressing(left: Callable[[], Awaitable[float | None]], patience: Patience, *,
                            interval: float = 0.5,
                            sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> bool:
    """Ask ``left`` every ``interval`` seconds until it says 0 (True), or ``patience`` runs out (False)."""
    while True:
        now_left = await left()
        if now_left == 0:
            return True
        patience.heard(now_left)
        if patience.exhausted:
            return False
        await sleep(interval)
