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


def wrk(url: str, seconds: float, token: str, serial_base: int, connections: int = 32) -> tuple[float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s", "-s", str(SCRIPT), url],
        capture_output=True, text=True, check=True,
        env={"TOKEN": token, "SERIAL_BASE": str(serial_base), "PATH": "/usr/bin:/bin"},
    ).stdout
    m = re.search(r"XINGCUN requests=(\d+) non2xx=(\d+) duration_us=(\d+)", out)
    requests, non2xx, duration = (int(x) for x in m.groups())
    return (requests - non2xx) / (duration / 1e6), non2xx


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
        ours, errors = wrk(stack.url("registry"), seconds, token, 0)
        trivial, _ = wrk(f"http://127.0.0.1:{port}", seconds, token, 0)
    finally:
        stack.stop()
        import asyncio

        asyncio.run(stack.drop_databases())
    figure = Figure("HTTP commands/s, one API process", ours, "req/s", "trivial FastAPI endpoint", trivial,
                    target=">= 0.5× trivial", notes=f"{errors} non-2xx responses")
    figure.met = figure.ratio >= 0.5
    return [figure]
