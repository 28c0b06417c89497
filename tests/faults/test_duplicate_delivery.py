"""Events delivered twice on purpose: already published records produced onto the topic again."""

from __future__ import annotations

import random
import time

import pytest
from aiokafka import AIOKafkaProducer

from shared.messaging.credentials import client_options
from tests.faults.checks import read_topic
from tests.faults.conftest import settle_and_check

pytestmark = pytest.mark.e2e
COPIES = 100


async def test_events_delivered_twice(private, fault_stack, stream):
    await stream.wait_acknowledged(20)
    records = [r for batch in (await read_topic(private, private.topic("registry"))).values() for r in batch]
    chosen = random.Random(9).sample(records, min(COPIES, len(records)))
    producer = AIOKafkaProducer(**client_options(private), acks="all")
    await producer.start()
    try:
        for r in chosen:  # the same partition, key, value and headers as the original
            await producer.send(r.topic, r.value, key=r.key, partition=r.partition, headers=list(r.headers))
        await producer.flush()
    finally:
        await producer.stop()
    await stream.wait_acknowledged(len(stream.figures.acknowledged) + 10)  # later events still flow
    await settle_and_check("duplicate_delivery", private, fault_stack, stream, fault_ended=time.monotonic(),
                           delivered_twice=len(chosen))
