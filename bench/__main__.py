"""``python -m bench [--scale full|tiny] [--only NAME ...]``: every benchmark, one table, one JSON file."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import typer

from bench import alerts, append, bulk_import, e2e, http, memory, overload, read, replay
from bench.harness import RESULTS, Figure, console, report, save, step
from shared.config import get_settings

SCALES = {
    "full": {"append_seconds": 10.0, "http_seconds": 10.0, "e2e_rates": [50, 200], "e2e_seconds": 30.0,
             "import_rows": 3520, "replay_events": 500_000, "read_seconds": 4.0, "read_scenarios": 880,
             "alerts_rate": 10.0, "alerts_count": 300, "overload_seconds": 20.0},
    "tiny": {"append_seconds": 0.5, "http_seconds": 1.0, "e2e_rates": [20], "e2e_seconds": 1.0, "import_rows": 50,
             "replay_events": 500, "read_seconds": 1.0, "read_scenarios": 10,
             "alerts_rate": 10.0, "alerts_count": 20, "overload_seconds": 1.0},
}
NAMES = {
    "append": "追加事件 / append",
    "http": "HTTP 吞吐 / HTTP throughput",
    "import": "批量导入 / bulk import",
    "replay": "投影重放 / replay",
    "read": "统计读取 / reads",
    "e2e": "端到端时延 / end to end",
    "alerts": "预警送达时延 / alert delivery (SSE, webhook)",
    "overload": "过载准入 / admission at 2.5× capacity",
    "memory": "内存（情景运行中）/ memory during the scenario",
}

app = typer.Typer(add_completion=False)


def benchmarks(scale: str, replay_events: int | None) -> dict[str, Callable[[], list[Figure]]]:
    knobs, settings = SCALES[scale], get_settings()
    return {
        "append": lambda: asyncio.run(append.run(settings, knobs["append_seconds"])),
        "http": lambda: http.run(knobs["http_seconds"]),
        "import": lambda: bulk_import.run(knobs["import_rows"]),
        "replay": lambda: replay.run(settings, replay_events or knobs["replay_events"]),
        "read": lambda: read.run(knobs["read_seconds"], knobs["read_scenarios"]),
        "e2e": lambda: e2e.run(knobs["e2e_rates"], knobs["e2e_seconds"]),
        "alerts": lambda: alerts.run(knobs["alerts_rate"], knobs["alerts_count"]),
        "overload": lambda: overload.run(knobs["overload_seconds"]),
        "memory": lambda: memory.run(scale),
    }


def isolated(name: str, scale: str, replay_events: int | None, output: Path) -> list[Figure]:
    """One benchmark in a process of its own: the load generator of one must not carry the
    heap another left behind (half a million decoded events make every later collection slow)."""
    part = output.with_name(f".{name}.{output.name}")
    argv = [sys.executable, "-m", "bench", "--scale", scale, "--only", name, "--output", str(part), "--part"]
    if replay_events:
        argv += ["--replay-events", str(replay_events)]
    done = subprocess.run(argv, check=False)
    try:
        result = json.loads(part.read_text())
    finally:
        part.unlink(missing_ok=True)
    if done.returncode or result["failed"]:
        raise RuntimeError(result["failed"].get(name) or f"exit status {done.returncode}")
    return [Figure.from_dict(f) for f in result["figures"]]


@app.command()
def main(
    scale: str = typer.Option("full", help="full | tiny (tiny: each benchmark once, quickly, so it cannot rot)"),
    replay_events: int = typer.Option(None, help="重放事件数 / events in the replay topic (default: by scale)"),
    only: list[str] = typer.Option([], help=f"只运行 / run only these: {', '.join(NAMES)}"),
    output: Path = typer.Option(RESULTS / "latest.json", help="结果文件 / where the JSON goes"),
    part: bool = typer.Option(False, hidden=True, help="run by a parent run: figures only, no table"),
) -> None:
    """运行基准并打印对照表 / run the benchmarks and print the table."""
    if scale not in SCALES:
        raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}")
    if unknown := set(only) - set(NAMES):
        raise typer.BadParameter(f"unknown benchmark(s): {', '.join(sorted(unknown))}; one of {', '.join(NAMES)}")
    figures: list[Figure] = []
    failed: dict[str, str] = {}
    took: dict[str, float] = {}
    started = time.monotonic()
    selected = {k: v for k, v in benchmarks(scale, replay_events).items() if not only or k in only}
    for name, measure in selected.items():
        if not part:
            console.rule(NAMES[name])
        t0 = time.monotonic()
        try:
            got = measure() if len(selected) == 1 else isolated(name, scale, replay_events, output)
        except Exception as exc:  # one broken benchmark must not cost the others' figures
            console.print_exception(max_frames=8)
            failed[name] = f"{type(exc).__name__}: {exc}"
            got = []
        if len(selected) == 1:  # else its own process has said them
            for f in got:
                ratio = f" — {f.ratio:.2f}× {f.baseline_name}" if f.ratio is not None else ""
                step(f"{f.name}: {f.value:,.1f} {f.unit}{ratio}")
        took[name] = round(time.monotonic() - t0, 1)
        if not part:
            step(f"{NAMES[name]} 用时 / took {took[name]:.0f} s")
        figures += got
        save(figures, scale, output, failed, took)
    if part:
        save(figures, scale, output, failed)
        raise typer.Exit(1 if failed else 0)
    took["all"] = round(time.monotonic() - started, 1)
    report(figures, scale, output, failed, took)
    step(f"全部用时 / all benchmarks took {took['all']:.0f} s")
    if failed:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
