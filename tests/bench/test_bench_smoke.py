"""Each benchmark once, at a tiny size, so that none of them rots. Nothing here is timed."""

from __future__ import annotations

import json
import subprocess
import sys

from shared.config import REPO_ROOT


def test_every_benchmark_runs_at_a_tiny_size(tmp_path):
    out = tmp_path / "tiny.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--scale", "tiny", "--output", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())["figures"]
    assert figures and all(f["value"] > 0 for f in figures)
    assert all(f["baseline_value"] > 0 for f in figures if f["baseline_name"])
