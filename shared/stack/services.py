"""The four services of the local stack: one API (uvicorn) and one faust worker each."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from shared.config import REPO_ROOT, SERVICES, Settings, get_settings
from shared.messaging.credentials import child_env as kafka_child_env
from shared.stack.processes import (
    StackError,
    console,
    is_running,
    log_file,
    show_failure,
    start_process,
    state_dir,
    stop_processes,
    wait_http_ok,
)

HEALTH_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
WORKER_GRACE = 3.0  # a worker that crashes on import does so within a few seconds


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else get_settings()


def worker_name(service: str) -> str:
    return f"{service}-worker"


def health_url(service: str, settings: Settings | None = None) -> str:
    return f"http://127.0.0.1:{_settings(settings).port(service)}/healthz"


def api_argv(service: str, settings: Settings | None = None) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", f"services.{service}.entrypoints.api:app",
        "--host", "127.0.0.1", "--port", str(_settings(settings).port(service)),
    ]


def worker_argv(service: str) -> list[str]:
    return [sys.executable, "-m", f"services.{service}.entrypoints.worker"]


# Every stack that replays the programme's history (the local stack, benchmarks, tests) lets
# each role state business time this far back; a deployment keeps the default window.
REPLAY_BACKDATE_WINDOW_DAYS = "3650"


def child_env(settings: Settings | None = None) -> dict[str, str]:
    # Children run elsewhere (see work_dir): give them the absolute state dir and the repo.
    path = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "XINGCUN_STATE_DIR": str(state_dir(settings)), "PYTHONPATH": path}
    # The local stack serves the Tianjin scenario, which replays 2021–2024 with every role
    # stating its own business time: a deployment keeps the default window (31 days).
    env.setdefault("XINGCUN_BACKDATE_WINDOW_DAYS", REPLAY_BACKDATE_WINDOW_DAYS)
    return env


def work_dir(settings: Settings | None = None) -> Path:
    # Faust keeps table data in "<app id>-data" under the cwd; keep that out of the repo.
    path = state_dir(settings) / "work"
    path.mkdir(exist_ok=True)
    return path


def parse_services(text: str | None) -> list[str]:
    if not text:
        return list(SERVICES)
    chosen = [s.strip() for s in text.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SERVICES))
    if unknown:
        raise StackError(f"未知服务 / unknown services: {', '.join(unknown)} (known: {', '.join(SERVICES)})")
    return chosen


def start_services(
    services: Iterable[str] = SERVICES,
    settings: Settings | None = None,
    *,
    commands: Mapping[str, Sequence[str]] | None = None,
    health_urls: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Start APIs and workers (those not yet running), then wait until all are healthy.

    ``commands`` maps process names (``registry``, ``registry-worker`` ...) to argv and
    ``health_urls`` maps API names to their health URL; both default to the real services.
    """
    settings = _settings(settings)
    services = list(services)
    commands = dict(commands or {})
    health_urls = dict(health_urls or {})
    for svc in services:
        commands.setdefault(svc, api_argv(svc, settings))
        commands.setdefault(worker_name(svc), worker_argv(svc))
        health_urls.setdefault(svc, health_url(svc, settings))
    env = dict(env) if env is not None else child_env(settings)

    started = time.monotonic()
    launched = []
    for name in commands:
        if is_running(name, settings):
            console.print(f"{name} 已在运行 / already running")
            continue
        console.print(f"启动 / starting {name}")
        # Each service's API and worker connect to Kafka as the service's own principal.
        own = env | kafka_child_env(settings, name.removesuffix("-worker"))
        start_process(name, commands[name], own, log_file(name, settings), settings=settings, cwd=work_dir(settings))
        launched.append(name)

    for svc in services:
        if not wait_http_ok(health_urls[svc], HEALTH_TIMEOUT, process=svc, settings=settings):
            raise show_failure(f"{svc} 未通过健康检查 / {svc} failed its health check ({health_urls[svc]})",
                               log_file(svc, settings))
    # Workers have no port; give them a moment to fail on import or on connecting.
    if launched:
        time.sleep(max(0.0, WORKER_GRACE - (time.monotonic() - started)))
    for name in commands:
        if name not in health_urls and not is_running(name, settings):
            raise show_failure(f"{name} 已退出 / {name} exited", log_file(name, settings))
    console.print(f"[green]服务已就绪 / services ready[/green] ({time.monotonic() - started:.1f} s)")


def service_process_names(services: Iterable[str] = SERVICES) -> list[str]:
    return [name for svc in services for name in (svc, worker_name(svc))]


def stop_services(services: Iterable[str] = SERVICES, settings: Settings | None = None,
                  timeout: float = STOP_TIMEOUT) -> list[str]:
    return stop_processes(service_process_names(services), timeout, settings)
