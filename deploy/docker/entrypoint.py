#!/usr/bin/env python
"""What a container of the Xingcun image runs, chosen by its arguments.

    api SERVICE       the service's HTTP API on 0.0.0.0:$XINGCUN_<SERVICE>_PORT
    worker SERVICE    the service's worker (outbox relay and projections) with a heartbeat
    probe             exit 0 when this container's process is healthy (Docker HEALTHCHECK,
                      Kubernetes exec probes); 1 when it is not
    xingcun ARGS...   the command line, e.g. ``xingcun contracts check`` or
                      ``xingcun projections rebuild publicity villages``

Configuration comes only from the environment (``XINGCUN_*``, see shared/config.py).
Writable state (faust's data dir, the heartbeat) lives in ``$XINGCUN_STATE_DIR``.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import urllib.request
from pathlib import Path

from shared.config import SERVICES, Settings, get_settings

ROLE_FILE = "container.role"
HEARTBEAT_FILE = "worker.heartbeat"
HEARTBEAT_SECONDS = 5.0
# A worker whose event loop has not beaten for this long is stuck: restart it.
HEARTBEAT_STALE_SECONDS = 30.0
USAGE = 64  # EX_USAGE


def state_dir(settings: Settings) -> Path:
    path = settings.state_dir.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_api(settings: Settings, service: str) -> None:
    (state_dir(settings) / ROLE_FILE).write_text(f"api {service}\n")
    os.execv(sys.executable, [
        sys.executable, "-m", "uvicorn", f"services.{service}.entrypoints.api:app",
        "--host", "0.0.0.0", "--port", str(settings.port(service)), "--no-access-log",
    ])


def run_worker(settings: Settings, service: str) -> None:
    from shared.worker import run

    state = state_dir(settings)
    (state / ROLE_FILE).write_text(f"worker {service}\n")
    heartbeat = state / HEARTBEAT_FILE
    app = importlib.import_module(f"services.{service}.entrypoints.worker").app

    @app.timer(interval=HEARTBEAT_SECONDS)
    async def beat() -> None:
        heartbeat.touch()

    run(app)


def probe(settings: Settings) -> int:
    try:
        role, service = (state_dir(settings) / ROLE_FILE).read_text().split()
    except (OSError, ValueError):
        return 0  # a one-off command: nothing long-running to judge
    if role == "api":
        url = f"http://127.0.0.1:{settings.port(service)}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 — our own loopback URL
                return 0 if response.status == 200 else 1
        except OSError:
            return 1
    try:
        age = time.time() - (state_dir(settings) / HEARTBEAT_FILE).stat().st_mtime
    except OSError:
        return 1
    return 0 if age < HEARTBEAT_STALE_SECONDS else 1


def main(argv: list[str]) -> int:
    settings = get_settings()
    match argv:
        case ["api" | "worker" as role, service] if service in SERVICES:
            (run_api if role == "api" else run_worker)(settings, service)
            return 0
        case ["probe"]:
            return probe(settings)
        case ["xingcun", *rest]:
            from xingcun_cli.main import app

            sys.argv = ["xingcun", *rest]
            app()
            return 0
        case _:
            print(__doc__, file=sys.stderr)
            print(f"services: {', '.join(SERVICES)}", file=sys.stderr)
            return USAGE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
