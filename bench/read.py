"""Reads: a dashboard's mix of statistics from one publicity API process, at 1, 10 and 100
concurrent readers, as of now and as of a past date, beside an endpoint of the same process
that reads one row (the baseline: what any read costs here, HTTP and a database round trip).

The read model is the publicity integration tests' scenario fed straight into the
projections (``tests/integration/publicity``), repeated across the nine districts until the
register holds Tianjin's 3,520 villages. The load generator is wrk (Debian's), as for HTTP.
Besides the mix, each statistic alone at 100 readers, and each one's first computation (an
empty cache: what a reader waits for right after an event changed the figures).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.harness import Figure, step
from bench.stack import BenchStack
from shared.db import create_pool, ensure_database
from shared.migrations import migrate
from shared.reference.places import DISTRICTS

from services.publicity.adapters.schema import CHAIN

SCRIPT = Path(__file__).with_name("read_mix.lua")
PAST = "2022-06-30"
READERS = (1, 10, 100)


def mix(village: str) -> dict[str, str]:
    return {
        "headline": "/stats/headline", "designation": "/stats/designation", "coverage": "/stats/coverage",
        "money": "/stats/money", "income": "/stats/income", "low-income": "/stats/low-income",
        "projects": "/stats/projects", "timeline": "/stats/timeline/disbursed",
        "village story": f"/stats/villages/{village}", "open data": "/open-data/statistics.csv",
    }


def as_of(path: str, day: str | None) -> str:
    if day is None or "/timeline/" in path:  # a timeline is month ends up to a date: `to`
        return path + (f"?to={day}" if day else "")
    return f"{path}?as_of={day}"


async def fill(stack: BenchStack, scenarios: int) -> tuple[str, int]:
    """The read model of ``scenarios`` scenarios, spread over the districts; a village's code and the events."""
    from tests.integration.publicity.model import Feeder
    from tests.integration.publicity.scenario import Scenario

    settings = stack.settings
    await ensure_database(settings, settings.db_prefix + "publicity")
    await asyncio.to_thread(migrate, settings, CHAIN)
    pool = await create_pool(settings.dsn("publicity"), max_size=4)
    try:
        feeder = Feeder(pool)
        districts = list(DISTRICTS)
        built = [Scenario(districts[i % 9], districts[(i + 4) % 9]) for i in range(scenarios)]
        events = 0
        for start in range(0, scenarios, 100):
            events += len(await feeder.feed([s for sc in built[start:start + 100] for s in sc.steps()]))
        return built[0].a, events
    finally:
        await pool.close()


def wrk(url: str, paths: list[str], readers: int, seconds: float) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", f"-t{min(2, readers)}", f"-c{readers}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
         "-s", str(SCRIPT), url],
        capture_output=True, text=True, check=True, env={"PATHS": " ".join(paths), "PATH": "/usr/bin:/bin"},
    ).stdout
    m = re.search(r"XINGCUN requests=(\d+) non2xx=(\d+) errors=(\d+) duration_us=(\d+) p50_us=(\d+) p95_us=(\d+) "
                  r"p99_us=(\d+)", out)
    requests, non2xx, errors, duration, p50, p95, p99 = (int(x) for x in m.groups())
    if not requests:
        raise RuntimeError(f"no answer within {seconds} s from {paths[:3]}…")
    if non2xx or errors:
        raise RuntimeError(f"{non2xx} non-2xx answers and {errors} socket errors from {paths[:3]}…")
    return {"rps": requests / (duration / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000}


def first_computations(url: str, paths: dict[str, str]) -> dict[str, float]:
    """Each statistic's first answer in this state of the read model (the cache is empty for it)."""
    took = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for name, path in paths.items():
            t0 = time.perf_counter()
            client.get(path).raise_for_status()
            took[name] = (time.perf_counter() - t0) * 1000
    return took


def run(seconds: float, scenarios: int) -> list[Figure]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: `apt-get install -y wrk` (make bench installs it)")
    stack = BenchStack()
    figures: list[Figure] = []
    try:
        t0 = time.monotonic()
        village, events = asyncio.run(fill(stack, scenarios))
        step(f"读模型 / read model: {scenarios * 4:,} villages, {events:,} events in {time.monotonic() - t0:.0f} s")
        port = stack.settings.port("publicity")
        url = f"http://127.0.0.1:{port}"
        stack.start("publicity-read", [sys.executable, "-m", "uvicorn", "bench.read_app:app", "--host", "127.0.0.1",
                                       "--port", str(port), "--log-level", "warning", "--no-access-log"],
                    health=url + "/healthz")
        baseline_paths = [f"/bench/one-row?code={village}"]
        wrk(url, baseline_paths, 10, 1)  # warm-up: connections, prepared statements
        baseline = {n: wrk(url, baseline_paths, n, seconds) for n in READERS}
        for mode, day in (("now", None), ("as of " + PAST, PAST)):
            paths = {name: as_of(path, day) for name, path in mix(village).items()}
            cold = first_computations(url, paths)
            step(f"{mode}: first computations " + ", ".join(f"{k} {v:.0f} ms" for k, v in cold.items()))
            for n in READERS:
                got = wrk(url, list(paths.values()), n, seconds)
                figure = Figure(f"read mix {mode}, {n} readers", got["rps"], "req/s", "one-row endpoint",
                                baseline[n]["rps"], target=">= 0.5× one-row" if n == 100 else None,
                                notes=f"p50 {got['p50']:.1f} ms, p95 {got['p95']:.1f} ms, p99 {got['p99']:.1f} ms; "
                                      f"one-row p50 {baseline[n]['p50']:.1f} ms, p95 {baseline[n]['p95']:.1f} ms")
                if n == 100:
                    figure.met = figure.ratio >= 0.5
                figures.append(figure)
                step(f"{figure.name}: {got['rps']:,.0f} req/s ({figure.ratio:.2f}× one-row), {figure.notes}")
            alone = {name: wrk(url, [path], 100, max(1.0, seconds / 2)) for name, path in paths.items()}
            limit = 50 if day is None else 250
            worst = max(alone, key=lambda k: alone[k]["p95"])
            figure = Figure(f"slowest statistic p95 {mode}, 100 readers", alone[worst]["p95"], "ms",
                            target=f"<= {limit} ms", lower_is_better=True,
                            notes=f"{worst}; each: " + ", ".join(f"{k} {v['p95']:.1f}" for k, v in alone.items()))
            figure.met = figure.value <= limit
            figures.append(figure)
            step(f"{figure.name}: {figure.notes}")
            slowest = max(cold, key=cold.get)
            figure = Figure(f"first computation {mode}, slowest statistic", cold[slowest], "ms",
                            target="open data <= 500 ms", lower_is_better=True,
                            notes=f"{slowest}; open data {cold['open data']:.0f} ms")
            figure.met = cold["open data"] <= 500
            figures.append(figure)
    finally:
        stack.stop()
        asyncio.run(stack.forget())
    return figures
