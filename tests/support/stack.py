"""Service processes for end-to-end tests: real uvicorn APIs and faust workers.

They use the session's databases and topics (random prefixes, see conftest) and
free ports, and write their spans to files the tests read.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shared.config import REPO_ROOT, SERVICES, Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServiceStack:
    def __init__(self, settings: Settings, workdir: Path, namespace: str = ""):
        """``namespace`` gives the stack databases and topics of its own on the same servers."""
        self.settings = settings
        self.workdir = workdir
        self.db_prefix = settings.db_prefix + (f"{namespace}_" if namespace else "")
        self.topic_prefix = settings.topic_prefix + (f"{namespace}." if namespace else "")
        self.ports = {s: free_port() for s in SERVICES}
        self.procs: dict[str, subprocess.Popen] = {}

    def env(self, name: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update({f"XINGCUN_{s.upper()}_PORT": str(p) for s, p in self.ports.items()})
        env["XINGCUN_STATE_DIR"] = str(self.workdir)
        # The stack's own database and broker (the fault tests run private ones on other ports).
        s = self.settings
        env.update({
            "XINGCUN_PG_HOST": s.pg_host, "XINGCUN_PG_PORT": str(s.pg_port),
            "XINGCUN_KAFKA_BOOTSTRAP": s.kafka_bootstrap, "XINGCUN_KAFKA_CONTROLLER_PORT": str(s.kafka_controller_port),
            "XINGCUN_DB_PREFIX": self.db_prefix, "XINGCUN_TOPIC_PREFIX": self.topic_prefix,
        })
        env["XINGCUN_OTEL_CONSOLE_PATH"] = str(self.spans_path(name))
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def spans_path(self, name: str) -> Path:
        return self.workdir / f"{name}.spans.jsonl"

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def dsn(self, service: str) -> str:
        return self.settings.dsn_for(self.db_prefix + service)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, services) -> ServiceStack:
        """Workers first (they create topics), then the APIs, each waited for until healthy."""
        for service in services:
            self.start_worker(service)
        for service in services:
            self.start_api(service)
        return self

    def start_api(self, service: str) -> None:
        self._spawn(f"{service}-api", [sys.executable, "-m", "uvicorn", f"services.{service}.entrypoints.api:app",
                                        "--host", "127.0.0.1", "--port", str(self.ports[service]), "--log-level", "warning"])
        self.wait_healthy(service)

    def start_worker(self, service: str) -> None:
        self._spawn(f"{service}-worker", [sys.executable, "-m", f"services.{service}.entrypoints.worker"])

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.log_path(name), "ab")  # noqa: SIM115 — the child owns it
        self.procs[name] = subprocess.Popen(argv, cwd=REPO_ROOT, env=self.env(name), stdout=log, stderr=log,
                                            start_new_session=True)

    def wait_healthy(self, service: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        name = f"{service}-api"
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited:\n{self.log_path(name).read_text()[-3000:]}")
            try:
                if httpx.get(self.url(service) + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{name} not healthy:\n{self.log_path(name).read_text()[-3000:]}")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.procs):
            proc = self.procs[name]
            try:
                self.kill(name, signal.SIGTERM)
            except subprocess.TimeoutExpired:
                # Seen under load: a worker still stopping after 30 s (an open defect, in the
                # session notes). The session's processes must not outlive it, whatever the cause.
                print(f"\n{name} ignored SIGTERM for 30 s; killed", file=sys.stderr)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)

    def spans(self, name: str) -> list[dict]:
        import json

        path = self.spans_path(name)
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
