"""A wait for the pipeline (scenario/drive/patience.py) goes on while what is left keeps
shrinking, however long that takes up to the ceiling, and gives up after a stall; a figure
that rises and falls back, or is not known, is no progress. A fake source and a fake clock;
then the check's wait on monitoring's lag, from a fake /metrics."""

from __future__ import annotations

import pytest

from scenario.alerts import NotCaughtUp, caught_up, check
from scenario.drive.client import Answer
from scenario.drive.patience import SAY_EVERY, Patience, while_progressing


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def wait(readings: list[float | None], *, stall: float = 60, ceiling: float = 10_000,
               interval: float = 10) -> tuple[bool, Clock, Patience, list[str]]:
    """Poll ``readings`` in turn (the last one from then on), every ``interval`` fake seconds."""
    clock, said, polls = Clock(), [], iter(readings)
    last = readings[-1]

    async def left() -> float | None:
        nonlocal last
        last = next(polls, last)
        return last

    patience = Patience("测试", "the test", stall=stall, ceiling=ceiling, say=said.append, clock=clock)
    done = await while_progressing(left, patience, interval=interval, sleep=clock.sleep)
    return done, clock, patience, said


async def test_a_slow_catch_up_is_waited_for_far_beyond_the_stall_while_it_progresses():
    readings = [float(n) for n in range(500, 0, -1)] + [0.0]  # one event an interval: 5,000 s
    done, clock, _, _ = await wait(readings, stall=60)
    assert done and clock.now - 1000 == 5000


async def test_it_gives_up_after_the_stall_and_says_so():
    done, clock, patience, _ = await wait([50, 40, 30, 30, 35, 31], stall=60)
    assert not done
    # last progress at 20 s (30 left); nothing lower since: given up 60 s later
    assert clock.now - 1000 == 80
    assert patience.why() == ("60 秒内毫无进展", "no progress in 60 s")


async def test_a_figure_that_is_not_known_is_no_progress():
    done, clock, _, _ = await wait([None], stall=60)
    assert not done and clock.now - 1000 == 60


async def test_the_ceiling_ends_even_a_progressing_wait():
    done, clock, patience, _ = await wait([float(n) for n in range(10_000, 0, -1)], stall=60, ceiling=300)
    assert not done and clock.now - 1000 == 300
    assert patience.why() == ("已等满上限 300 秒", "waited the full 300 s allowed")


async def test_a_new_goal_measures_progress_afresh():
    clock = Clock()
    patience = Patience("测试", "the test", stall=60, say=lambda _: None, clock=clock)
    patience.heard(0)
    clock.now += 50
    patience.heard(40)  # more work came in: against the old least, 40 is no progress
    clock.now += 20
    assert patience.exhausted
    patience.aim_anew()
    patience.heard(40)
    clock.now += 50
    assert not patience.exhausted


async def test_progress_is_said_chinese_first_every_so_often_not_every_poll():
    readings = [float(n) for n in range(100, 0, -1)] + [0.0]
    done, clock, _, said = await wait(readings, interval=1)
    assert done and len(said) == int((clock.now - 1000) // SAY_EVERY)
    assert said[0].startswith("等待测试：尚余") and " / waiting for the test: " in said[0]


class Metrics:
    """Monitoring's /metrics as the check reads it: its projections' lag, one reading per poll."""

    def __init__(self, lags: list[list[str]]):
        self.urls, self.lags = {"monitoring": "http://monitoring"}, lags

    async def _send(self, method: str, url: str, headers: dict) -> Answer:
        lag = self.lags.pop(0) if len(self.lags) > 1 else self.lags[0]
        text = "".join(f'xingcun_projection_lag_events{{projection="watch",topic="t{i}"}} {v}\n'
                       for i, v in enumerate(lag))
        return Answer(200, text.encode())


async def test_the_check_waits_on_monitorings_lag_until_it_is_zero():
    api = Metrics([["NaN", "5.0"], ["3.0", "1.0"], ["0.0", "1.0"], ["0.0", "0.0"]])
    assert await caught_up(api, Patience("测试", "the test", stall=30, say=lambda _: None))
    assert api.lags == [["0.0", "0.0"]]


async def test_the_check_gives_up_on_a_lag_that_does_not_shrink():
    patience = Patience("测试", "the test", stall=1.2, say=lambda _: None)
    assert not await caught_up(Metrics([["4.0", "1.0"], ["5.0", "0.0"]]), patience)
    assert patience.why() == ("1 秒内毫无进展", "no progress in 1 s")


async def test_the_check_compares_no_alerts_of_a_monitoring_that_never_caught_up():
    patience = Patience("测试", "the test", stall=1.2, say=lambda _: None)
    with pytest.raises(NotCaughtUp, match="alerts not compared"):
        await check(None, Metrics([["4.0"], ["5.0"]]), patience)  # gives up before the plan is read
