"""Detached processes of the local stack: pid files, logs, stopping, readiness.

Every process gets ``<state_dir>/run/<name>.pid`` (pid and start time, so a pid
reused after a reboot is not mistaken for ours) and a log in
``<state_dir>/logs/<name>.log``. Functions are synchronous so tests can call
them from fixtures; ``run_async`` bridges to asyncio clients.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import socket
import subprocess
import time
from collections import deque
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil
from rich.console import Console

from shared.config import REPO_ROOT, Settings, get_settings

console = Console(highlight=False)
T = TypeVar("T")


class StackError(RuntimeError):
    """A component of the local stack could not be started or stopped."""


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else get_settings()


def state_dir(settings: Settings | None = None) -> Path:
    # Absolute, so that child processes with another cwd agree on it.
    path = _settings(settings).state_dir.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_dir(settings: Settings | None = None) -> Path:
    path = state_dir(settings) / "run"
    path.mkdir(exist_ok=True)
    return path


def log_dir(settings: Settings | None = None) -> Path:
    path = state_dir(settings) / "logs"
    path.mkdir(exist_ok=True)
    return path


def pid_file(name: str, settings: Settings | None = None) -> Path:
    return run_dir(settings) / f"{name}.pid"


def log_file(name: str, settings: Settings | None = None) -> Path:
    return log_dir(settings) / f"{name}.log"


def process_alive(pid: int, create_time: float | None = None) -> bool:
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return create_time is None or abs(proc.create_time() - create_time) < 1.0
    except psutil.Error:
        return False


def read_pid(name: str, settings: Settings | None = None) -> int | None:
    """Pid of the named process if it is still the one we started, else None."""
    path = pid_file(name, settings)
    try:
        fields = path.read_text().split()
        pid = int(fields[0])
        create_time = float(fields[1]) if len(fields) > 1 else None
    except (OSError, ValueError, IndexError):
        return None
    return pid if process_alive(pid, create_time) else None


def is_running(name: str, settings: Settings | None = None) -> bool:
    return read_pid(name, settings) is not None


def start_process(
    name: str,
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
    *,
    settings: Settings | None = None,
    cwd: Path | None = None,
) -> int:
    """Start ``argv`` detached (own session, survives the caller) and return its pid.

    If the named process is already running it is left alone and its pid returned.
    """
    running = read_pid(name, settings)
    if running is not None:
        return running
    log_path = log_path or log_file(name, settings)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("PYTHONUNBUFFERED", "1")  # logs readable while it runs
    with open(log_path, "ab") as log:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start {name}: {' '.join(argv)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env,
            cwd=cwd or REPO_ROOT,
            start_new_session=True,  # not killed by the terminal's Ctrl-C; a process group to signal
        )
    try:
        create_time = psutil.Process(proc.pid).create_time()
    except psutil.Error:
        create_time = time.time()
    pid_file(name, settings).write_text(f"{proc.pid}\n{create_time}\n")
    return proc.pid


def _signal_group(pid: int, sig: int) -> None:
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def stop_processes(names: Iterable[str], timeout: float = 10.0, settings: Settings | None = None) -> list[str]:
    """SIGTERM all named processes at once, SIGKILL what is left after ``timeout``.

    Returns the names that were running.
    """
    victims: dict[str, psutil.Process] = {}
    family: list[psutil.Process] = []
    for name in names:
        pid = read_pid(name, settings)
        if pid is None:
            pid_file(name, settings).unlink(missing_ok=True)
            continue
        try:
            proc = psutil.Process(pid)
            family += [proc, *proc.children(recursive=True)]
        except psutil.Error:
            continue
        victims[name] = proc
        _signal_group(pid, signal.SIGTERM)
    # wait_procs also reaps our own children, so none linger as zombies.
    _, alive = psutil.wait_procs(family, timeout=timeout)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=5)
    for name in victims:
        pid_file(name, settings).unlink(missing_ok=True)
    return list(victims)


def stop_process(name: str, timeout: float = 10.0, settings: Settings | None = None) -> bool:
    return bool(stop_processes([name], timeout, settings))


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        return httpx.get(url, timeout=timeout).status_code
    except httpx.HTTPError:
        return None


def wait_http_ok(
    url: str,
    timeout: float = 90.0,
    *,
    process: str | None = None,
    settings: Settings | None = None,
) -> bool:
    """Poll ``url`` until it answers 200; give up early if ``process`` dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http_status(url) == 200:
            return True
        if process is not None and not is_running(process, settings):
            return False
        time.sleep(0.5)
    return False


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, errors="replace") as fh:
            return "".join(deque(fh, maxlen=lines))
    except OSError:
        return f"(no log at {path})"


def show_failure(message: str, log_path: Path) -> StackError:
    """Print the end of a log under a headline; return an error to raise."""
    console.print(f"[red]{message}[/red]")
    console.rule(f"{log_path.name} (最后几行 / last lines)")
    console.print(tail(log_path), markup=False)
    console.rule()
    return StackError(message)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, also when called inside a running loop (pytest-asyncio)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def is_root() -> bool:
    return os.geteuid() == 0


def apt_install(*packages: str) -> None:
    if not is_root():
        raise StackError(f"缺少软件包，请先安装 / missing packages, please install: {' '.join(packages)}")
    console.print(f"安装 / installing (apt): {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=True, env=env, stdout=subprocess.DEVNULL)
