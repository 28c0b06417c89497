"""A faust worker (publicity's projections) killed with SIGKILL mid-batch, then restarted."""

from __future__ import annotations

import time

import pytest

from shared.db import connect
from tests.faults.conftest import settle_and_check

pytestmark = pytest.mark.e2e


async def lag(private) -> int:
    """Published events the publicity projection has not applied yet."""
    reg = await connect(private.dsn("registry"))
    pub = await connect(private.dsn("publicity"))
    try:
        published = await reg.fetchval("select count(*) from es.events where type = 'VillageRegistered'")
        return published - await pub.fetchval("select count(*) from stats.villages")
    finally:
        await reg.close()
        await pub.close()


async def test_projection_worker_killed_mid_batch(private, fault_stack, stream):
    await stream.wait_acknowledged(20)
    behind = 0
    deadline = time.monotonic() + 10
    while behind == 0 and time.monotonic() < deadline:  # kill while records are in flight
        behind = await lag(private)
    fault_stack.kill("publicity-worker")
    killed = time.monotonic()
    await stream.wait_acknowledged(len(stream.figures.acknowledged) + 20)  # commands go on meanwhile
    fault_stack.start_worker("publicity")
    await settle_and_check("worker_killed", private, fault_stack, stream, fault_ended=time.monotonic(),
                           in_flight_at_kill=behind, down_s=round(time.monotonic() - killed, 1))
