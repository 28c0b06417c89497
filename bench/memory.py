"""Memory: peak RSS of each service process and worker while the Tianjin scenario runs
through them, beside the same process's RSS just after it started (its baseline).

A sampler thread reads every process's RSS every 0.2 s with psutil; the scenario is the
one `make demo` runs, at the size the scale asks for, on a private stack.
"""

from __future__ import annotations

import asyncio
import threading

import psutil
from rich.console import Console

from bench.harness import Figure, step
from bench.stack import BenchStack
from scenario.drive.client import Api
from scenario.drive.run import Summary, drive
from scenario.generate import generate
from scenario.model import Scenario
from scenario.size import ScenarioSize
from shared.config import SERVICES

LIMIT_MB = 300
SIZES = {
    "full": ScenarioSize(),  # the programme's own numbers
    "tiny": ScenarioSize(villages=45, designated=12, units=12, cadres=24, teams=9, presence_days_per_month=1,
                         projects_per_village=1.0, low_income_per_village=1.0),
}


class PeakSampler(threading.Thread):
    """Highest RSS seen for each named process until ``stop()``."""

    def __init__(self, pids: dict[str, int], every: float = 0.2):
        super().__init__(daemon=True)
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.start_rss = {name: p.memory_info().rss for name, p in self.processes.items()}
        self.peak = dict(self.start_rss)
        self.every = every
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self.every):
            for name, p in self.processes.items():
                try:
                    self.peak[name] = max(self.peak[name], p.memory_info().rss)
                except psutil.Error:
                    pass  # a process that died is reported by the scenario's failures

    def rss(self, name: str) -> int:
        return self.processes[name].memory_info().rss

    def cpu(self, name: str) -> float:
        """CPU seconds the process has used, user and system."""
        t = self.processes[name].cpu_times()
        return t.user + t.system

    def mark(self, name: str) -> int:
        """Start the process's peak afresh from its RSS now (a stage's peak), and return it."""
        self.peak[name] = self.rss(name)
        return self.peak[name]

    def stop(self) -> None:
        self._stopped.set()
        self.join()


async def drive_on(stack: BenchStack, plan: Scenario, concurrency: int = 24, **options) -> tuple[Summary, int]:
    """``plan`` driven through the stack's APIs: the drive's summary, and its failed commands."""
    urls = {s: stack.url(s) for s in SERVICES}
    async with Api(stack.settings, urls, plan.seed, concurrency=concurrency) as api:
        summary = await drive(plan, api, Console(stderr=True), **options)
        return summary, len(api.tally.failures)


async def scenario(stack: BenchStack, size: ScenarioSize) -> tuple[int, str | None]:
    summary, failures = await drive_on(stack, generate(2021, size), settle_ceiling=300)
    return failures, summary.stopped_at


def run(scale: str) -> list[Figure]:
    stack = BenchStack()
    try:
        pids: dict[str, int] = {}
        for service in SERVICES:
            pids |= stack.start_service(service)
        sampler = PeakSampler(pids)
        sampler.start()
        step(f"情景 / scenario ({scale}): {SIZES[scale].villages} villages, {SIZES[scale].teams} teams")
        try:
            failures, stopped_at = asyncio.run(scenario(stack, SIZES[scale]))
        finally:
            sampler.stop()
        if failures or stopped_at:
            raise RuntimeError(f"the scenario failed ({failures} failed commands, stopped at {stopped_at}): "
                               "its memory figures would not be the scenario's")
    finally:
        stack.stop()
        asyncio.run(stack.forget())
    figures = []
    for name in sorted(pids):
        peak, start = sampler.peak[name] / 2**20, sampler.start_rss[name] / 2**20
        f = Figure(f"peak RSS {name}", peak, "MB", "RSS after start", start, lower_is_better=True,
                   target=f"<= {LIMIT_MB} MB", notes="during the scenario")
        f.met = peak <= LIMIT_MB
        figures.append(f)
    return figures
