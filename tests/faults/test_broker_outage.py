"""The Kafka broker stopped for 20 s and started again while commands flow."""

from __future__ import annotations

import asyncio
import time

import pytest

from shared.stack import start_kafka, stop_kafka
from tests.faults.conftest import settle_and_check

pytestmark = pytest.mark.e2e
OUTAGE_S = 20.0


async def test_broker_stopped_for_20_seconds(private, fault_stack, stream):
    await stream.wait_acknowledged(10)
    await asyncio.to_thread(stop_kafka, private)
    stopped = time.monotonic()
    acked_before = len(stream.figures.acknowledged)
    await asyncio.sleep(OUTAGE_S)  # the fault itself: commands keep arriving meanwhile
    # The write side needs only PostgreSQL: commands are accepted while the broker is away.
    during = len(stream.figures.acknowledged) - acked_before
    assert during > 0
    await asyncio.to_thread(start_kafka, private, 180.0)  # generous: a JVM on a busy 2-core machine
    restarted = time.monotonic()
    await settle_and_check("broker_outage", private, fault_stack, stream, fault_ended=restarted,
                           outage_s=round(restarted - stopped, 1), acknowledged_during_outage=during)
