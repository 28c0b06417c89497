"""``python -m bench [--scale full|tiny] [--only NAME ...]``: every benchmark, one table, one JSON file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bench import append, bulk_import, e2e, http, replay
from bench.harness import RESULTS, report
from shared.config import get_settings

SCALES = {
    "full": {"append_seconds": 10.0, "http_seconds": 10.0, "e2e_rates": [50, 200, 500], "e2e_seconds": 60.0,
             "import_rows": 3520, "replay_events": 500_000},
    "tiny": {"append_seconds": 0.5, "http_seconds": 1.0, "e2e_rates": [20], "e2e_seconds": 1.0, "import_rows": 50, "replay_events": 500},
}

app = typer.Typer(add_completion=False)


@app.command()
def main(
    scale: str = typer.Option("full", help="full | tiny (tiny: each benchmark once, quickly, so it cannot rot)"),
    replay_events: int = typer.Option(None, help="重放事件数 / events in the replay topic (default: by scale)"),
    only: list[str] = typer.Option([], help="只运行 / run only these: append, http, import, replay, e2e"),
    output: Path = typer.Option(RESULTS / "latest.json", help="结果文件 / where the JSON goes"),
) -> None:
    """运行基准并打印对照表 / run the benchmarks and print the table."""
    if scale not in SCALES:
        raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}")
    knobs, settings = SCALES[scale], get_settings()
    figures = []
    if not only or "append" in only:
        figures += asyncio.run(append.run(settings, knobs["append_seconds"]))
    if not only or "http" in only:
        figures += http.run(knobs["http_seconds"])
    if not only or "import" in only:
        figures += bulk_import.run(knobs["import_rows"])
    if not only or "replay" in only:
        figures += replay.run(settings, replay_events or knobs["replay_events"])
    if not only or "e2e" in only:
        figures += e2e.run(knobs["e2e_rates"], knobs["e2e_seconds"])
    report(figures, scale, output)


if __name__ == "__main__":
    app()
