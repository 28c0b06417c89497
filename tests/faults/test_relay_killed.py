"""The outbox relay killed between commit and publish, and between publish and its checkpoint."""

from __future__ import annotations

import time

import pytest

from shared.db import connect
from tests.faults.conftest import settle_and_check

pytestmark = pytest.mark.e2e
REWIND = 10


async def test_relay_killed_between_commit_and_publish(private, fault_stack, stream):
    await stream.wait_acknowledged(10)
    fault_stack.kill("registry-worker")  # SIGKILL: the relay and the directory projection with it
    await stream.wait_acknowledged(len(stream.figures.acknowledged) + 20)  # committed, not published
    conn = await connect(private.dsn("registry"))
    try:
        committed = await conn.fetchval("select count(*) from es.events")
        published = await conn.fetchval("select published_position from es.relay_state")
        # A relay that died after Kafka's ack but before moving its checkpoint leaves exactly
        # this behind: records on the topic, the checkpoint short of them. It will send them again.
        rewound = min(REWIND, published)
        await conn.execute("update es.relay_state set published_position = published_position - $1", rewound)
    finally:
        await conn.close()
    assert committed > published
    fault_stack.start_worker("registry")
    await settle_and_check("relay_killed", private, fault_stack, stream, fault_ended=time.monotonic(),
                           committed_unpublished=committed - published, republished=rewound)
