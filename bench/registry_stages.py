"""Registry's API memory, stage by stage: the scenario's registry stages alone (villages up to
team changes) at N× Tianjin on a private stack (registry's API and worker only), the API
process's RSS read every second, and its CPU time, per stage.

What it is for: telling which stage makes the API's RSS grow with the programme's size
(docs/scaling.md, section 6). ``python -m bench.registry_stages --times 3``; prints one JSON
line per stage and writes them all to ``--out``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import psutil
import typer

from bench.scale import size_of
from bench.stack import BenchStack
from scenario.drive import registry
from scenario.drive.client import Api
from scenario.drive.stage import run_stage
from scenario.generate import generate

MB = 2**20


class StageSampler(threading.Thread):
    """The process's RSS every ``every`` seconds; ``mark()`` starts the next stage's peak."""

    def __init__(self, pid: int, every: float = 1.0):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.every = every
        self.peak = self.rss()
        self._stopped = threading.Event()

    def rss(self) -> int:
        return self.process.memory_info().rss

    def cpu(self) -> float:
        t = self.process.cpu_times()
        return t.user + t.system

    def mark(self) -> int:
        self.peak = self.rss()
        return self.peak

    def run(self) -> None:
        while not self._stopped.wait(self.every):
            try:
                self.peak = max(self.peak, self.rss())
            except psutil.Error:
                return

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def start(stack: BenchStack, trace: Path | None) -> int:
    """Registry's worker and API; with ``trace``, the API under tracemalloc (bench.traced_api)."""
    if trace is None:
        return stack.start_service("registry")["registry"]
    from xingcun_cli.db import migrate_service

    migrate_service(stack.settings, "registry")
    stack.start("registry-worker", [sys.executable, "-m", "services.registry.entrypoints.worker"])
    port = str(stack.settings.port("registry"))
    return stack.start("registry", [sys.executable, "-m", "bench.traced_api", "registry", port, str(trace)],
                       health=stack.url("registry") + "/healthz")


def traced(pid: int, trace: Path | None) -> dict:
    """The API's live Python objects now and at their peak since the last call, in MB."""
    if trace is None:
        return {}
    lines = len(trace.read_text().splitlines()) if trace.exists() else 0
    os.kill(pid, signal.SIGUSR2)
    for _ in range(120):
        time.sleep(0.5)
        found = trace.read_text().splitlines() if trace.exists() else []
        if len(found) > lines:
            last = json.loads(found[-1])
            return {"live_mb": round(last["current"] / MB, 1), "live_peak_mb": round(last["peak"] / MB, 1),
                    "top": [[where, round(size / MB, 1)] for where, size in last["top"][:5]]}
    return {"live_mb": None}


async def drive(stack: BenchStack, times: int, sampler: StageSampler, concurrency: int,
                trace: Path | None = None) -> list[dict]:
    plan = generate(2021, size_of(times))
    rows = []
    urls = {"registry": stack.url("registry")}
    async with Api(stack.settings, urls, plan.seed, concurrency=concurrency) as api:
        for stage in registry.stages(plan, api):
            before, cpu0, t0 = sampler.mark(), sampler.cpu(), time.monotonic()
            await run_stage(api, stage, None)
            tally = dict(api.tally.by_stage.get(stage.name, {}))
            row = {"stage": stage.name, "commands": stage.total, "seconds": round(time.monotonic() - t0, 1),
                   "rss_before_mb": round(before / MB, 1), "peak_mb": round(sampler.peak / MB, 1),
                   "rss_after_mb": round(sampler.rss() / MB, 1), "api_cpu_s": round(sampler.cpu() - cpu0, 1),
                   "failed": tally.get("failed", 0), "load": round(os.getloadavg()[0], 1),
                   **traced(sampler.process.pid, trace)}
            print(json.dumps(row), flush=True)
            rows.append(row)
            if row["failed"]:
                break
    return rows


def main(times: int = typer.Option(3), concurrency: int = typer.Option(24),
         out: Path = typer.Option(Path("registry-stages.json")),
         trace: Path = typer.Option(None, help="the API under tracemalloc, its snapshots appended here")) -> None:
    stack = BenchStack()
    try:
        sampler = StageSampler(start(stack, trace))
        print(json.dumps({"start_rss_mb": round(sampler.rss() / MB, 1), "load": round(os.getloadavg()[0], 1)}),
              flush=True)
        sampler.start()
        try:
            if trace is not None:
                traced(sampler.process.pid, trace)  # the peak from here on
            rows = asyncio.run(drive(stack, times, sampler, concurrency, trace))
        finally:
            sampler.stop()
        out.write_text(json.dumps(rows, indent=1))
    finally:
        stack.stop()
        asyncio.run(stack.forget())


if __name__ == "__main__":
    typer.run(main)
