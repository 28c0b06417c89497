"""A private copy of the system for one benchmark run: its own databases, topics, ports
and state folder on the running PostgreSQL and Kafka, removed afterwards."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.config import REPO_ROOT, SERVICES, Settings, get_settings
from shared.messaging.acls import ADMIN
from shared.messaging.credentials import child_env as kafka_child_env
from shared.messaging.credentials import pinned
from shared.messaging.kafka_admin import apply_acls
from shared.stack.kafka import admin_settings, auth_enabled
from shared.stack.leftovers import forget
from shared.stack.processes import StackError, start_process, stop_processes, tail, wait_http_ok
from shared.stack.services import REPLAY_BACKDATE_WINDOW_DAYS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BenchStack:
    def __init__(self, base: Settings | None = None, env: dict[str, str] | None = None):
        base = base or get_settings()
        run = secrets.token_hex(3)
        self.env = {
            "XINGCUN_DB_PREFIX": f"xcb_{run}_",
            "XINGCUN_TOPIC_PREFIX": f"b{run}.",
            "XINGCUN_STATE_DIR": str(REPO_ROOT / ".state" / "bench" / run),
            "XINGCUN_JWT_SECRET": secrets.token_urlsafe(32),
            "XINGCUN_OTEL_EXPORTER": "none",
            "XINGCUN_BACKDATE_WINDOW_DAYS": REPLAY_BACKDATE_WINDOW_DAYS,
            **{f"XINGCUN_{s.upper()}_PORT": str(free_port()) for s in SERVICES},
            **(env or {}),
        }
        # Its own state dir holds no Kafka credentials: the bench's own work runs as the stack's
        # admin, stated outright; each service process as its principal (start), with the ACLs
        # of the bench's prefix.
        admin = pinned(admin_settings(base))
        self.base = base
        self.settings = Settings(**{k.removeprefix("XINGCUN_").lower(): v for k, v in self.env.items()},
                                 pg_port=base.pg_port, kafka_bootstrap=base.kafka_bootstrap,
                                 kafka_security_protocol=admin.kafka_security_protocol,
                                 kafka_sasl_username=admin.kafka_sasl_username,
                                 kafka_sasl_password=admin.kafka_sasl_password)
        if auth_enabled(base):
            apply_acls(admin, prefix=self.settings.topic_prefix)
        self.names: list[str] = []

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.settings.port(service)}"

    def start(self, name: str, argv: list[str], health: str | None = None) -> int:
        service = name.removesuffix("-worker")
        env = dict(os.environ) | self.env | kafka_child_env(self.base, service if service in SERVICES else ADMIN)
        pid = start_process(name, argv, env, settings=self.settings)
        self.names.append(name)
        if health and not wait_http_ok(health, 90, process=name, settings=self.settings):
            log = Path(self.settings.state_dir) / "logs" / f"{name}.log"
            raise StackError(f"{name} did not start:\n{tail(log)}")
        return pid

    def start_service(self, service: str, worker: bool = True, api: list[str] | None = None) -> dict[str, int]:
        """The service's worker and API, migrated first; ``api`` is the API's command line after
        the interpreter (uvicorn on the service's app unless given)."""
        from xingcun_cli.db import migrate_service

        migrate_service(self.settings, service)  # as `make up` does: the processes never migrate
        pids = {}
        if worker:
            pids[f"{service}-worker"] = self.start(
                f"{service}-worker", [sys.executable, "-m", f"services.{service}.entrypoints.worker"])
        api = api or ["-m", "uvicorn", f"services.{service}.entrypoints.api:app", "--host", "127.0.0.1",
                      "--port", str(self.settings.port(service)), "--log-level", "warning", "--no-access-log"]
        pids[service] = self.start(service, [sys.executable, *api], health=self.url(service) + "/healthz")
        return pids

    def stop(self) -> None:
        stop_processes(self.names, settings=self.settings)

    async def forget(self) -> None:
        """The run's databases, and its topics with their ACLs."""
        await forget(self.settings, self.settings.db_prefix, self.settings.topic_prefix)


@contextmanager
def bench_stack() -> Iterator[BenchStack]:
    stack = BenchStack()
    try:
        yield stack
    finally:
        stack.stop()
        asyncio.run(stack.forget())
