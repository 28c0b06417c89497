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
import time
from pathlib import Path

import typer

from bench.memory import PeakSampler
from bench.scale import size_of
from bench.stack import BenchStack
from scenario.drive import registry
from scenario.drive.client import Api
from scenario.drive.stage import run_stage
from scenario.generate import generate

MB = 2**20
API = "registry"


def start(stack: BenchStack, trace: Path | None) -> int:
    """Registry's worker and API; with ``trace``, the API under tracemalloc (bench.traced_api)."""
    api = None if trace is None else ["-m", "bench.traced_api", "registry", str(stack.settings.port("registry")),
                                      str(trace)]
    return stack.start_service("registry", api=api)["registry"]


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


async def drive(stack: BenchStack, times: int, sampler: PeakSampler, concurrency: int,
                trace: Path | None = None) -> list[dict]:
    plan = generate(2021, size_of(times))
    rows = []
    urls = {"registry": stack.url("registry")}
    async with Api(stack.settings, urls, plan.seed, concurrency=concurrency) as api:
        for stage in registry.stages(plan, api):
            before, cpu0, t0 = sampler.mark(API), sampler.cpu(API), time.monotonic()
            await run_stage(api, stage, None)
            tally = dict(api.tally.by_stage.get(stage.name, {}))
            row = {"stage": stage.name, "commands": stage.total, "seconds": round(time.monotonic() - t0, 1),
                   "rss_before_mb": round(before / MB, 1), "peak_mb": round(sampler.peak[API] / MB, 1),
                   "rss_after_mb": round(sampler.rss(API) / MB, 1), "api_cpu_s": round(sampler.cpu(API) - cpu0, 1),
                   "failed": tally.get("failed", 0), "load": round(os.getloadavg()[0], 1),
                   **traced(sampler.processes[API].pid, trace)}
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
        sampler = PeakSampler({API: start(stack, trace)}, every=1.0)
        print(json.dumps({"start_rss_mb": round(sampler.rss(API) / MB, 1), "load": round(os.getloadavg()[0], 1)}),
              flush=True)
        sampler.start()
        try:
            if trace is not None:
                traced(sampler.processes[API].pid, trace)  # the peak from here on
            rows = asyncio.run(drive(stack, times, sampler, concurrency, trace))
        finally:
            sampler.stop()
        out.write_text(json.dumps(rows, indent=1))
    finally:
        stack.stop()
        asyncio.run(stack.forget())


if __name__ == "__main__":
    typer.run(main)
