"""Each benchmark once, at a tiny size, so that none of them rots. Nothing here is timed.

``make test`` runs all but those that take most of the time at any size (the read mix at
100 readers, memory, which drives a scenario, and overload, a stack of its own for a
capacity it then exceeds); ``make test-long`` runs every one."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.__main__ import NAMES
from shared.config import REPO_ROOT

SLOW = ("read", "memory")  # minutes each
# Their commands come from vegeta (`make bench-tools`, a Go build), which `make test` does not
# install: `make test-long` runs them.
VEGETA = ("overload", "e2e")


def run_tiny(tmp_path, names) -> None:
    out = tmp_path / "tiny.json"
    only = [arg for name in names for arg in ("--only", name)]
    done = subprocess.run([sys.executable, "-m", "bench", "--scale", "tiny", *only, "--output", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(out.read_text())
    figures = result["figures"]
    assert figures and all(f["value"] > 0 for f in figures)
    assert set(result["took_seconds"]) == {*names, "all"}
    assert all(f["baseline_value"] > 0 for f in figures if f["baseline_name"])


def test_the_quicker_benchmarks_run_at_a_tiny_size(tmp_path):
    run_tiny(tmp_path, [name for name in NAMES if name not in SLOW + VEGETA])


@pytest.mark.long
def test_every_benchmark_runs_at_a_tiny_size(tmp_path):
    run_tiny(tmp_path, NAMES)


@pytest.mark.long
def test_the_scale_run_measures_a_checked_scenario(tmp_path):
    """``make scale`` at the small size: driven, checked at 0 differences, memory and reads measured."""
    out = tmp_path / "scale.json"
    done = subprocess.run([sys.executable, "-m", "bench.scale", "--small", "--times", "1", "--read-seconds", "1",
                           "--output", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [size] = json.loads(out.read_text())
    assert size["events"] > 0 and size["compared"] > 0 and size["differences"] == 0 and not size["failures"]
    assert size["peak_rss_mb"] and all(mb > 0 for mb in size["peak_rss_mb"].values())
    assert all(size["p95_ms"][mode] and all(v > 0 for v in size["p95_ms"][mode].values()) for mode in ("now", "past"))
