"""Pacing commands on the backlog (shared/http/pace.py), with a fake clock and a fake pipeline:
nothing is paced while the backlog is short; past the target the rate is the drain measured from
this process's own admissions; nothing goes in at the limit; under a sustained overload the
pipeline is kept busy with a backlog under the limit, where an all-or-nothing gate idles it."""

from __future__ import annotations

from collections import deque

import pytest

from shared.http.pace import Pace

LIMIT = 1.0
STEP = 0.001  # the simulation's tick, in seconds
SAMPLE = 0.25  # the backlog is sampled this often (shared/http/backlog.py)
COMMIT = 0.25  # the figure reader commits its offsets this often (shared/worker.py)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Pipeline:
    """Carries what was admitted first in, first out, at ``rate`` commands a second; what the
    backlog's sample sees is the oldest command not yet committed at the last commit."""

    def __init__(self, rate: float):
        self.rate = rate
        self.waiting: deque[float] = deque()  # when each waiting command was admitted
        self.credit = 0.0
        self.waits: list[float] = []  # admitted → carried, per command
        self.idle = 0.0  # seconds with nothing to carry
        self.committed_head: float | None = None

    def admit(self, now: float) -> None:
        self.waiting.append(now)

    def tick(self, now: float, dt: float) -> None:
        if not self.waiting:
            self.idle += dt
            self.credit = 0.0  # idle time is not banked
            return
        self.credit += self.rate * dt
        while self.waiting and self.credit >= 1.0:
            self.waits.append(now - self.waiting.popleft())
            self.credit -= 1.0

    def commit(self) -> None:
        self.committed_head = self.waiting[0] if self.waiting else None

    def backlog(self, now: float) -> float:
        return now - self.committed_head if self.committed_head is not None else 0.0


class AllOrNothing:
    """The gate before pacing: every command while the backlog is at most the limit, none past it."""

    def __init__(self, limit: float):
        self.limit, self.seconds = limit, 0.0

    def admit(self) -> bool:
        return self.seconds <= self.limit

    def observe(self, seconds: float) -> None:
        self.seconds = seconds


def simulate(gate, clock: Clock, pipeline: Pipeline, offered: float, seconds: float) -> int:
    """``offered`` commands a second for ``seconds``; returns how many were admitted."""
    admitted, due, t = 0, 0.0, 0.0
    while t < seconds:
        due += offered * STEP
        while due >= 1.0:
            due -= 1.0
            if gate.admit():
                pipeline.admit(clock.now)
                admitted += 1
        pipeline.tick(clock.now, STEP)
        t += STEP
        clock.now += STEP
        ticks = round(t / STEP)
        if ticks % round(COMMIT / STEP) == 0:
            pipeline.commit()
        if ticks % round(SAMPLE / STEP) == 0:
            gate.observe(pipeline.backlog(clock.now))
    return admitted


def test_nothing_is_counted_while_the_pipeline_keeps_up():
    clock = Clock()
    pace = Pace(LIMIT, clock=clock)
    for backlog in (0.0, 0.2, 0.1, 0.24):
        pace.observe(backlog)
        clock.now += SAMPLE
        assert pace.allowed is None
    assert all(pace.admit() for _ in range(10_000))  # a burst after a quiet spell goes in whole
    assert pace.admitted == 10_000


def test_behind_it_the_pipeline_holds_what_it_carries_in_the_target_time():
    clock = Clock()
    start = clock.now
    pace = Pace(LIMIT, window=1.0, clock=clock)
    pace.observe(0.0)
    for _ in range(9):  # 100 commands a second, each through in a tenth of a second
        for _ in range(25):
            assert pace.admit()
        clock.now += SAMPLE
        pace.observe(0.1 if clock.now - start < 2.2 else 0.5)
    # The last second's heads: accepted at 1.15 s, then at 1.75 s (2.25 - 0.5): 60 of this
    # process's commands went through in it. 225 admitted, 175 gone past: 50 waiting, and
    # what the drain carries in 0.75 s, 45, allowed.
    assert pace.drain() == pytest.approx(60)
    assert pace.passed == pytest.approx(175) and pace.allowed == pytest.approx(45)
    assert not pace.admit()
    clock.now += SAMPLE
    pace.observe(0.4)  # gone past: to 2.1 s, 210; drained 70 a second; 52.5 allowed
    assert pace.passed == pytest.approx(210) and pace.allowed == pytest.approx(52.5)
    assert sum(pace.admit() for _ in range(100)) == 38  # 15 waiting, up to 52


def test_a_sample_is_read_as_of_when_it_was_taken():
    clock = Clock()
    pace = Pace(LIMIT, clock=clock)
    pace.observe(0.0)
    for _ in range(4):  # 100 commands a second
        for _ in range(25):
            pace.admit()
        clock.now += SAMPLE
        pace.observe(0.1)
    taken = clock.now
    clock.now += SAMPLE  # handed over a quarter second after it was taken (backlog.py's thread)
    pace.observe(0.5, at=taken)
    assert pace.passed == pytest.approx(50)  # admitted by 0.5 s after the start, not by 0.75 s


def test_past_the_limit_nothing_goes_in_and_a_slow_drain_still_leaves_a_few():
    clock = Clock()
    pace = Pace(LIMIT, clock=clock)
    pace.observe(0.0)
    clock.now += 5
    pace.observe(1.2)
    assert pace.allowed == 0 and not pace.admit()
    clock.now += SAMPLE
    pace.observe(0.9)  # nothing measured to have gone through: a few still go in
    assert sum(pace.admit() for _ in range(100)) == 16


def test_counting_ends_once_the_pipeline_has_caught_up():
    clock = Clock()
    pace = Pace(LIMIT, clock=clock)
    pace.observe(0.0)
    clock.now += SAMPLE
    pace.observe(0.8)
    assert pace.allowed is not None
    clock.now += SAMPLE
    pace.observe(0.2)
    assert pace.allowed is None
    assert all(pace.admit() for _ in range(1_000))


@pytest.mark.parametrize("capacity", [100.0, 460.0])
def test_at_two_and_a_half_times_the_capacity_the_pipeline_stays_busy_within_the_limit(capacity):
    clock = Clock()
    pipeline = Pipeline(capacity)
    simulate(Pace(LIMIT, clock=clock), clock, pipeline, offered=2.5 * capacity, seconds=30)
    assert len(pipeline.waits) >= 0.99 * capacity * 30
    assert pipeline.idle < 0.05  # the pipeline never waits for the gate
    waits = sorted(pipeline.waits)
    assert waits[int(0.99 * len(waits))] <= 0.9 * LIMIT


def test_the_all_or_nothing_gate_lets_in_bursts_that_wait_past_the_limit():
    # What pacing replaces, in the same model: each sample under the limit opens the door to
    # a second's worth of commands at the offered rate, which the pipeline then needs 2.5 s for.
    clock = Clock()
    pipeline = Pipeline(100.0)
    simulate(AllOrNothing(LIMIT), clock, pipeline, offered=250.0, seconds=30)
    waits = sorted(pipeline.waits)
    assert waits[len(waits) // 2] > LIMIT
