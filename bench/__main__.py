"""``python -m bench [--scale full|tiny] [--only NAME ...]``: every benchmark, one table, one JSON file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bench import append, e2e, http
from bench.harness import RESULTS, report
from shared.config import get_settings

SCALES = {
    "full": {"append_seconds": 10.0, "http_seconds": 10.0, "e2e_rates": [50, 200, 500], "e2e_seconds": 60.0},
    "tiny": {"append_seconds": 0.5, "http_seconds": 1.0, "e2e_rates": [20], "e2e_seconds": 1.0},
}

app = typer.Typer(add_completion=False)


@app.command()
def main(
    scale: str = typer.Option("full", help="full | tiny (tiny: each benchmark once, quickly, so it cannot rot)"),
    only: list[str] = typer.Option([], help="只运行 / run only these: append, http, e2e"),
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
    if not only or "e2e" in only:
        figures += e2e.run(knobs["e2e_rates"], knobs["e2e_seconds"])
    report(figures, scale, output)


if __name__ == "__main__":
    app()
