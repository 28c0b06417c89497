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

SLOW = ("read", "memory", "overload")


def run_tiny(tmp_path, names) -> None:
    out = tmp_path / "tiny.json"
    only = [arg for name in names for arg in ("--only", name)]
    done = subprocess.run([sys.executable, "-m", "bench", "--scale", "tiny", *only, "--output", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())["figures"]
    assert figures and all(f["value"] > 0 for f in figures)
    assert all(f["baseline_value"] > 0 for f in figures if f["baseline_name"])


def test_the_quicker_benchmarks_run_at_a_tiny_size(tmp_path):
    run_tiny(tmp_path, [name for name in NAMES if name not in SLOW])


@pytest.mark.long
def test_every_benchmark_runs_at_a_tiny_size(tmp_path):
    run_tiny(tmp_path, NAMES)
