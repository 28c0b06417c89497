"""Figures, their baselines and targets; the table and the JSON file a run produces."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

from shared.stack.kafka import KAFKA_VERSION

RESULTS = Path(__file__).parent / "results"
console = Console(width=None if sys.stdout.isatty() else 150)


@dataclass
class Figure:
    """One measured figure; ``ratio`` = value / baseline, oriented so that higher is better
    unless ``lower_is_better``."""

    name: str
    value: float
    unit: str
    baseline_name: str | None = None
    baseline_value: float | None = None
    target: str | None = None  # e.g. ">= 0.7" (ratio) or "<= 1000 ms" (value)
    lower_is_better: bool = False
    notes: str = ""
    ratio: float | None = field(init=False, default=None)
    met: bool | None = None

    def __post_init__(self) -> None:
        if self.baseline_value:
            self.ratio = self.value / self.baseline_value

    @classmethod
    def from_dict(cls, d: dict) -> Figure:
        figure = cls(**{k: v for k, v in d.items() if k not in ("ratio", "met")})
        figure.met = d["met"]
        return figure


class Bounded:
    """A deadline shared by a benchmark's loops, so each one ends on time."""

    def __init__(self, seconds: float):
        self.ends = time.monotonic() + seconds

    @property
    def over(self) -> bool:
        return time.monotonic() >= self.ends


def step(message: str) -> None:
    """A line of live progress: benchmarks run for minutes and should say what they are doing."""
    console.print(f"[dim]{datetime.now().strftime('%H:%M:%S')}[/dim]  {message}")


def machine() -> dict:
    def tool(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "unknown"

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": psutil.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgresql": tool(["psql", "--version"]),
        "kafka": KAFKA_VERSION,
        "packages": {p: version(p) for p in ("asyncpg", "aiokafka", "faust-streaming", "fastapi", "uvicorn", "eventsourcing")},
    }


def row(f: Figure) -> tuple[str, ...]:
    return (
        f.name,
        f"{f.value:,.1f} {f.unit}",
        f"{f.baseline_name}: {f.baseline_value:,.1f}" if f.baseline_value is not None else "—",
        f"{f.ratio:.2f}×" if f.ratio is not None else "—",
        f.target or "—",
        {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "—"}[f.met],
    )


def save(figures: list[Figure], scale: str, path: Path, failed: dict[str, str] | None = None,
         took: dict[str, float] | None = None) -> None:
    """Written after every benchmark, so a run cut short keeps what it measured. ``took``: each
    benchmark's seconds, because `make bench`'s own length is a target too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"scale": scale, "machine": machine(), "figures": [asdict(f) for f in figures],
                                "failed": failed or {}, "took_seconds": took or {}}, ensure_ascii=False, indent=2))


def report(figures: list[Figure], scale: str, path: Path = RESULTS / "latest.json",
           failed: dict[str, str] | None = None, took: dict[str, float] | None = None) -> None:
    table = Table(title=f"兴村基准 Xingcun benchmarks ({scale})")
    for col in ("基准 figure", "数值 value", "对照 baseline", "比值 ratio", "目标 target", "达成 met"):
        table.add_column(col)
    for f in figures:
        table.add_row(*row(f))
    console.print(table)
    for name, error in (failed or {}).items():
        console.print(f"[red]未完成 / failed: {name}: {error}[/red]")
    save(figures, scale, path, failed, took)
    console.print(f"结果已写入 / written to {path}")
