"""HTTP: commands/s of one registry API process vs a trivial FastAPI endpoint, same server
setup (one uvicorn process), same load generator (wrk, from Debian's packages), same body.

The registry runs without its worker, so the figure is the API process alone; codes are
unique, so every request appends a real event.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from bench.harness import Figure
from bench.stack import BenchStack, free_port
from shared.http.auth import Principal, Role, issue_token

SCRIPT = Path(__file__).with_name("villages.lua")


SLICES = 5  # each side measured in alternating slices: a shared machine's load drifts within seconds


def wrk(url: str, seconds: float, token: str, serial_base: int, connections: int = 32) -> tuple[float, int]:
    requests, non2xx, duration = _wrk(url, seconds, token, serial_base, connections)
    return (requests - non2xx) / (duration / 1e6), non2xx


def _wrk(url: str, seconds: float, token: str, serial_base: int, connections: int = 32) -> tuple[int, int, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s", "-s", str(SCRIPT), url],
        capture_output=True, text=True, check=True,
        env={"TOKEN": token, "SERIAL_BASE": str(serial_base), "PATH": "/usr/bin:/bin"},
    ).stdout
    m = re.search(r"XINGCUN requests=(\d+) non2xx=(\d+) duration_us=(\d+)", out)
    requests, non2xx, duration = (int(x) for x in m.groups())
    return requests, non2xx, duration


def alternating(ours_url: str, trivial_url: str, seconds: float, token: str) -> tuple[float, float, int]:
    """Both sides' requests/s over ``SLICES`` alternating slices of ``seconds`` in all each
    (whole seconds, wrk's unit): one side measured after the other met a different load."""
    slices = max(1, min(SLICES, int(seconds)))
    each = max(1, int(seconds) // slices)
    totals = {"ours": [0, 0, 0], "trivial": [0, 0, 0]}
    for i in range(slices):
        # Codes stay unique: the script spaces its threads 200,000 apart, a slice 20,000.
        for side, url in (("ours", ours_url), ("trivial", trivial_url)):
            for k, v in enumerate(_wrk(url, each, token, i * 20_000)):
                totals[side][k] += v
    rate = {side: (r - bad) / (us / 1e6) for side, (r, bad, us) in totals.items()}
    return rate["ours"], rate["trivial"], totals["ours"][1]


def run(seconds: float) -> list[Figure]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: `apt-get install -y wrk` (make bench installs it)")
    stack = BenchStack()
    try:
        stack.start_service("registry", worker=False)
        port = free_port()
        stack.start("trivial", [sys.executable, "-m", "uvicorn", "bench.trivial_app:app", "--host", "127.0.0.1",
                                "--port", str(port), "--log-level", "warning", "--no-access-log"],
                    health=f"http://127.0.0.1:{port}/healthz")
        token = issue_token(stack.settings, Principal(subject="bench", role=Role.city_office))
        wrk(stack.url("registry"), 1, token, 900_000)  # warm-up: connections, prepared statements
        ours, trivial, errors = alternating(stack.url("registry"), f"http://127.0.0.1:{port}", seconds, token)
    finally:
        stack.stop()
        import asyncio

        asyncio.run(stack.forget())
    figure = Figure("HTTP commands/s, one API process", ours, "req/s", "trivial FastAPI endpoint", trivial,
                    target=">= 0.5× trivial", notes=f"{errors} non-2xx responses")
    figure.met = figure.ratio >= 0.5
    return [figure]
