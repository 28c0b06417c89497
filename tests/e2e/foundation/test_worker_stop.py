"""A worker stopped with SIGTERM while records flow (a rolling deploy, a node drained) stops by
itself within Kubernetes' grace period, and its replacement loses nothing. Every worker runs
several projections on one topic: faust used to wait for the copies it had dropped from their
queues until the process was killed (shared/messaging/flow_control.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from shared.config import SERVICES
from tests.support.db import fetchval
from tests.support.programme import wait_all_published, wait_projections_caught_up
from tests.support.registry import to_csv, village_rows
from tests.support.stack import ServiceStack, running

pytestmark = pytest.mark.e2e

GRACE_S = 30  # terminationGracePeriodSeconds: Kubernetes' default, and ours (deploy/k8s)
BURST = 2_000  # villages in one import: more than the projections take at once


async def flowing(publicity: str, timeout: float = 60) -> int:
    """Villages in publicity's read model once the burst has begun to arrive there."""
    deadline = time.monotonic() + timeout
    while not (applied := await fetchval(publicity, "select count(*) from stats.villages")):
        assert time.monotonic() < deadline, "the burst never reached publicity"
        await asyncio.sleep(0.05)
    return applied


def stop(stack: ServiceStack, name: str) -> float:
    proc = stack.procs.pop(name)
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=GRACE_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"{name} still running {GRACE_S} s after SIGTERM:\n{stack.log_path(name).read_text()[-1500:]}")
    assert proc.returncode == 0, stack.log_path(name).read_text()[-1500:]
    return time.monotonic() - started


def test_workers_stopped_mid_burst_exit_by_themselves_and_lose_nothing(settings, tmp_path_factory, token):
    with running(ServiceStack(settings, tmp_path_factory.mktemp("stop-stack"), namespace="stop")) as stack:
        r = httpx.post(stack.url("registry") + "/villages/import", headers=token(), timeout=120,
                       files={"file": ("村表.csv", to_csv(village_rows(BURST, base=700_000)), "text/csv")})
        assert r.status_code == 201, r.text[:300]
        ours = settings.model_copy(update={"db_prefix": stack.db_prefix, "topic_prefix": stack.topic_prefix})
        applied = asyncio.run(flowing(stack.dsn("publicity")))
        assert 0 < applied < BURST, "the burst was applied before the stop: nothing was in flight"

        workers = [f"{s}-worker" for s in SERVICES]
        with ThreadPoolExecutor(len(workers)) as pool:  # at once, as a node is drained
            took = list(pool.map(lambda name: stop(stack, name), workers))
        print({name: round(t, 1) for name, t in zip(workers, took)})

        for service in SERVICES:
            stack.start_worker(service)
        asyncio.run(wait_all_published(ours))
        asyncio.run(wait_projections_caught_up(ours, timeout=120))
        assert asyncio.run(fetchval(stack.dsn("publicity"), "select count(*) from stats.villages")) == BURST
