"""The image's entrypoint run for real (without Docker): ``api``, ``worker``, ``probe`` and
``xingcun`` against the real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shared.config import REPO_ROOT
from shared.db import drop_database
from shared.messaging.credentials import child_env as kafka_child_env
from shared.messaging.kafka_admin import apply_acls
from shared.stack.kafka import admin_settings, auth_enabled
from tests.support.stack import free_port

ENTRYPOINT = REPO_ROOT / "deploy" / "docker" / "entrypoint.py"


@pytest.fixture
def env(settings, tmp_path) -> dict[str, str]:
    # As in a container: a state dir of its own, and the registry's Kafka principal given outright.
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), "XINGCUN_STATE_DIR": str(tmp_path),
            "XINGCUN_OTEL_EXPORTER": "none", "PYTHONUNBUFFERED": "1", **kafka_child_env(settings, "registry")}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ENTRYPOINT), *args], env=env, capture_output=True, text=True,
                          timeout=60, check=False)


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ENTRYPOINT), *args], env=env, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def wait_for(condition, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


@pytest.fixture
def own_database(env, settings):
    """A registry database of the test's own, migrated as the Kubernetes Job does (the
    entrypoint's ``xingcun db migrate``, before any API or worker starts), dropped afterwards."""
    prefix = f"{settings.db_prefix}ctr{secrets.token_hex(2)}_"
    env = env | {"XINGCUN_DB_PREFIX": prefix}
    done = run(env, "xingcun", "db", "migrate", "--service", "registry")
    assert done.returncode == 0, done.stdout + done.stderr
    yield env
    asyncio.run(drop_database(settings, f"{prefix}registry"))


def test_wrong_arguments_print_the_usage(env):
    for args in ((), ("api",), ("api", "nosuch"), ("serve", "registry")):
        done = run(env, *args)
        assert done.returncode == 64, args
        assert "api SERVICE" in done.stderr and "registry, funding" in done.stderr


def test_probe_of_a_one_off_container_passes(env):
    assert run(env, "probe").returncode == 0


def test_xingcun_role_runs_the_command_line(env):
    done = run(env, "xingcun", "contracts", "--help")
    assert done.returncode == 0 and "export" in done.stdout


def test_api_role_serves_health_and_the_probe_follows_it(own_database, tmp_path):
    port = free_port()
    env = own_database | {"XINGCUN_REGISTRY_PORT": str(port)}
    log = tmp_path / "api.log"
    proc = start(env, log, "api", "registry")
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, proc, log)
        assert run(env, "probe").returncode == 0
    finally:
        stop(proc)
    assert run(env, "probe").returncode == 1


def test_worker_role_beats_and_a_stale_heartbeat_fails_the_probe(own_database, settings, tmp_path):
    # Topics and a database of its own: joining the e2e stack's consumer group would rebalance it.
    env = own_database | {"XINGCUN_TOPIC_PREFIX": f"{settings.topic_prefix}ctr."}
    if auth_enabled(settings):
        apply_acls(admin_settings(settings), prefix=f"{settings.topic_prefix}ctr.")
    log = tmp_path / "worker.log"
    heartbeat = tmp_path / "worker.heartbeat"
    assert run(env | {"XINGCUN_STATE_DIR": str(tmp_path / "empty")}, "probe").returncode == 0
    proc = start(env, log, "worker", "registry")
    try:
        wait_for(heartbeat.exists, proc, log, timeout=90)
        assert run(env, "probe").returncode == 0
    finally:
        stop(proc)
    assert proc.returncode is not None
    old = time.time() - 120
    os.utime(heartbeat, (old, old))
    assert run(env, "probe").returncode == 1
