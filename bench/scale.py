"""National scale: the Tianjin scenario at 1×, 3×, 10× … on a private stack, each size measured
the same way, so that docs/scaling.md's curves come from one tool.

For each size: the drive's time and events, ``scenario check`` (figures and alerts against the
plan), every process's peak RSS while the drive ran, and the publicity reads on the read model
the drive built: each statistic's first computation, and each one alone at 100 readers (wrk),
as of now and as of a past date. Presence is reduced to one check-in per cadre and month at
every size, so that the sizes compare and a run stays bounded.

``python -m bench.scale --times 1 --times 3`` (``make scale``); hours at 10× on two cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from bench.harness import RESULTS, step
from bench.memory import LIMIT_MB, PeakSampler, drive_on
from bench.read import PAST, as_of, first_computations, mix, wrk
from bench.stack import BenchStack, free_port
from scenario.check import Report
from scenario.cli import check_all
from scenario.generate import generate
from scenario.model import Scenario
from scenario.size import ScenarioSize
from shared.config import SERVICES


@dataclass
class SizeResult:
    times: int
    villages: int
    designated: int
    teams: int
    events: int = 0
    drive_seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    failures: int = 0
    stopped_at: str | None = None
    compared: int = 0
    differences: int = 0
    check_seconds: float = 0.0
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    start_rss_mb: dict[str, float] = field(default_factory=dict)
    first_ms: dict[str, dict[str, float]] = field(default_factory=dict)  # now|past → statistic → ms
    p95_ms: dict[str, dict[str, float]] = field(default_factory=dict)  # now|past → statistic → ms at 100 readers
    one_row_p95_ms: float = 0.0
    load: dict[str, float] = field(default_factory=dict)  # the machine's 1-minute load average at each step
    reads_failed: str | None = None  # why the reads were not measured, if they were not


def note_load(result: SizeResult, when: str) -> None:
    result.load[when] = round(os.getloadavg()[0], 1)


def size_of(times: int, small: bool = False) -> ScenarioSize:
    base = ScenarioSize.small() if small else ScenarioSize()
    return base.times(times).scaled(presence_days_per_month=1)


async def _check(stack: BenchStack, plan: Scenario) -> Report:
    return await check_all(plan, stack.settings, {s: stack.url(s) for s in SERVICES})


def _reads(stack: BenchStack, plan: Scenario, result: SizeResult, seconds: float) -> None:
    """Reads from a publicity API process of its own (the read benchmark's app: the service's
    routes and the one-row baseline), on the read model the drive built."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stack.start("publicity-read", [sys.executable, "-m", "uvicorn", "bench.read_app:app", "--host", "127.0.0.1",
                                   "--port", str(port), "--log-level", "warning", "--no-access-log"],
                health=url + "/healthz")
    village = sorted(plan.designated)[0]
    one_row = [f"/bench/one-row?code={village}"]
    wrk(url, one_row, 10, 1)  # warm-up: connections, prepared statements
    result.one_row_p95_ms = wrk(url, one_row, 100, seconds)["p95"]
    for mode, day in (("now", None), ("past", PAST)):
        paths = {name: as_of(path, day) for name, path in mix(village).items()}
        result.first_ms[mode] = first_computations(url, paths)
        result.p95_ms[mode] = {name: wrk(url, [path], 100, seconds)["p95"] for name, path in paths.items()}
        step(f"{result.times}×, {mode}: p95 at 100 readers " +
             ", ".join(f"{k} {v:.0f} ms" for k, v in result.p95_ms[mode].items()))


def measure(times: int, concurrency: int, read_seconds: float, small: bool = False,
            save: Callable[[SizeResult], None] = lambda _: None, keep: bool = False) -> SizeResult:
    """``save`` is called with what is measured so far before the reads, and again after them:
    an hour's drive and check are not lost to a failure of what follows. ``keep`` leaves the
    stack running and its data in place, to look into what was measured (query plans, memory)
    without another hour's drive."""
    size = size_of(times, small)
    plan = generate(2021, size)
    result = SizeResult(times, size.villages, size.designated, size.teams)
    stack = BenchStack()
    try:
        pids: dict[str, int] = {}
        for service in SERVICES:
            pids |= stack.start_service(service)
        sampler = PeakSampler(pids, every=1.0)
        sampler.start()
        where = "small" if small else "天津 / Tianjin"
        step(f"{times}× {where}: {size.villages:,} villages, {size.designated:,} designated, {size.teams:,} teams")
        t0 = time.monotonic()
        note_load(result, "drive start")
        try:
            summary, result.failures = asyncio.run(drive_on(stack, plan, concurrency))
        finally:
            sampler.stop()
        result.drive_seconds = time.monotonic() - t0
        note_load(result, "drive end")
        result.stages = {stage: round(seconds, 1) for stage, _, _, seconds in summary.rows}
        result.events = sum(summary.events.values())
        result.stopped_at = summary.stopped_at
        result.peak_rss_mb = {n: round(v / 2**20, 1) for n, v in sampler.peak.items()}
        result.start_rss_mb = {n: round(v / 2**20, 1) for n, v in sampler.start_rss.items()}
        if summary.stopped_at:
            step(f"{times}×: stopped at {summary.stopped_at}; not checked, reads not measured")
            return result
        t0 = time.monotonic()
        report = asyncio.run(_check(stack, plan))
        result.check_seconds = time.monotonic() - t0
        result.compared, result.differences = report.compared, len(report.differences)
        step(f"{times}×: check {result.compared:,} compared, {result.differences} differences "
             f"({result.check_seconds:.0f} s)")
        save(result)
        note_load(result, "reads start")
        try:
            _reads(stack, plan, result, read_seconds)
        except Exception as exc:  # noqa: BLE001 - the drive's figures stand; the table says the reads are missing
            result.reads_failed = f"{type(exc).__name__}: {exc}"
            step(f"{times}×: reads not measured: {result.reads_failed}")
        note_load(result, "reads end")
        return result
    finally:
        if keep:
            kept(stack)
        else:
            stack.stop()
            asyncio.run(stack.forget())


def kept(stack: BenchStack) -> None:
    exports = " ".join(f"{k}={v}" for k, v in sorted(stack.env.items()) if k != "XINGCUN_JWT_SECRET")
    step(f"保留 / kept running: {exports}")
    step("停止 / to stop it: kill the pids under XINGCUN_STATE_DIR, then drop the databases named XINGCUN_DB_PREFIX*")


def table(results: list[SizeResult]) -> Table:
    t = Table(title="规模曲线 / the scenario against size")
    t.add_column("")
    for r in results:
        t.add_column(f"{r.times}× ({r.villages:,} villages)", justify="right")
    first = results[0]

    def row(label: str, cell) -> None:
        t.add_row(label, *(cell(r) for r in results))

    row("events", lambda r: f"{r.events:,}")
    row("drive s", lambda r: f"{r.drive_seconds:,.0f}")
    row("failed commands", lambda r: str(r.failures))
    row("check: compared / differences", lambda r: f"{r.compared:,} / {r.differences}")
    for name in sorted(first.peak_rss_mb):
        row(f"peak RSS {name} MB", lambda r, n=name: f"{r.peak_rss_mb.get(n, 0):.0f}")
    row("reads", lambda r: "not measured" if r.reads_failed else "measured")
    row("load average (drive, reads)", lambda r: " · ".join(f"{v:.1f}" for v in r.load.values()))
    row("one-row p95 ms, 100 readers", lambda r: f"{r.one_row_p95_ms:.0f}")
    for mode in ("now", "past"):
        for name in first.p95_ms.get(mode, {}):
            row(f"{name} ({mode}) p95 ms", lambda r, m=mode, n=name: f"{r.p95_ms.get(m, {}).get(n, 0):.0f}")
        for name in first.first_ms.get(mode, {}):
            row(f"{name} ({mode}) first ms", lambda r, m=mode, n=name: f"{r.first_ms.get(m, {}).get(n, 0):.0f}")
    return t


def main(
    times: list[int] = typer.Option([1, 3], min=1, max=100, help="倍数 / sizes, in Tianjins"),
    concurrency: int = typer.Option(24, min=1, max=256, help="并发请求数 / requests in flight"),
    read_seconds: float = typer.Option(10.0, help="每项读取时长 / seconds of wrk per statistic"),
    output: Path = typer.Option(None, help="结果文件 / where the JSON goes"),
    small: bool = typer.Option(False, help="以小规模为 1× / the small preset as 1× (a quick look, the tests)"),
    keep: bool = typer.Option(False, help="保留最后一个规模的服务与数据 / leave the last size's stack running"),
) -> None:
    """各规模运行情景并测量 / run the scenario at each size and measure it."""
    results: list[SizeResult] = []
    out = output or RESULTS / f"scale-{datetime.now(UTC):%Y%m%dT%H%M}.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    def save(current: SizeResult) -> None:
        out.write_text(json.dumps([asdict(r) for r in [*results, current]], indent=2, ensure_ascii=False))

    for n in times:
        current = measure(n, concurrency, read_seconds, small, save, keep=keep and n == times[-1])
        save(current)
        results.append(current)
    Console().print(table(results))
    over = {f"{r.times}× {n}": mb for r in results for n, mb in r.peak_rss_mb.items() if mb > LIMIT_MB}
    if over:
        Console().print(f"[yellow]超过 {LIMIT_MB} MB / over {LIMIT_MB} MB:[/yellow] {over}")
    if any(r.failures or r.stopped_at or r.differences or r.reads_failed for r in results):
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
