"""Service processes for end-to-end tests: real uvicorn APIs and faust workers.

They use the session's databases and topics (random prefixes, see conftest) and
free ports, and write their spans to files the tests read.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx

from shared.config import REPO_ROOT, SERVICES, Settings
from shared.messaging.acls import PRINCIPALS
from shared.messaging.credentials import child_env as kafka_child_env
from shared.messaging.kafka_admin import apply_acls
from shared.stack.kafka import admin_settings, auth_enabled


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
        self.argv: dict[str, list[str]] = {}  # how each process was started, to start it again
        self.migrated: set[str] = set()
        self.granted = False

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
        # Each process as its service's Kafka principal (the ACLs of shared/messaging/acls.py);
        # a process that is none of them (the CLI's `scenario check` speaks only HTTP) gets none.
        principal = name.split("-")[0]
        if principal in PRINCIPALS:
            env.update(kafka_child_env(self.settings, principal))
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

    def migrate(self, service: str) -> None:
        """`xingcun db migrate --service S` on the stack's database, once: the processes never migrate."""
        if service not in self.migrated:
            from xingcun_cli.db import migrate_service

            migrate_service(self.settings.model_copy(update={"db_prefix": self.db_prefix}), service)
            self.migrated.add(service)

    def start_api(self, service: str) -> None:
        self.migrate(service)
        self._spawn(f"{service}-api", [sys.executable, "-m", "uvicorn", f"services.{service}.entrypoints.api:app",
                                        "--host", "127.0.0.1", "--port", str(self.ports[service]), "--log-level", "warning"])
        self.wait_healthy(service)

    def start_worker(self, service: str, replica: int = 0) -> None:
        """``replica`` > 0 starts another worker of the service beside the first."""
        name = f"{service}-worker" + (f"-{replica}" if replica else "")
        self.migrate(service)
        self._spawn(name, [sys.executable, "-m", f"services.{service}.entrypoints.worker"])

    def respawn(self, name: str) -> None:
        """Start a process again as it was started (after a kill); an API is waited for."""
        self._spawn(name, self.argv[name])
        if name.endswith("-api"):
            self.wait_healthy(name.removesuffix("-api"))

    def grant(self) -> None:
        """The ACL table for this stack's topic prefix, once, before its first process: each
        process runs as its service's Kafka principal, which may touch nothing ungranted."""
        if not self.granted and auth_enabled(self.settings):
            apply_acls(admin_settings(self.settings), prefix=self.topic_prefix)
        self.granted = True

    def _spawn(self, name: str, argv: list[str]) -> None:
        self.grant()
        log = open(self.log_path(name), "ab")  # noqa: SIM115 — the child owns it
        self.argv[name] = argv
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

    def stop_all(self, grace: float = 30.0) -> None:
        """SIGTERM to every process at once, then wait for all within one ``grace`` period."""
        procs, self.procs = dict(self.procs), {}
        for proc in procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name, proc in procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # The session's processes must not outlive it, whatever the cause; said, so a
                # process that stops slowly is seen.
                print(f"\n{name} still running {grace:.0f} s after SIGTERM; killed", file=sys.stderr)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)

    def spans(self, name: str) -> list[dict]:
        import json

        path = self.spans_path(name)
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@contextlib.contextmanager
def running(stack: ServiceStack, services: Iterable[str] = SERVICES) -> Iterator[ServiceStack]:
    """The stack's services started (workers, then APIs), and every process stopped again
    however the block ends — also when a start fails half-way."""
    try:
        yield stack.start(services)
    finally:
        stack.stop_all()
