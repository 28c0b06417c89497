"""Another bureau's view: the example consumer rebuilds a statistic from the real topic
with plain aiokafka and gets publicity's figures; every record on the wire matches the
published contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from shared.config import REPO_ROOT
from shared.contracts.export import render
from shared.messaging.acls import BUREAU
from shared.messaging.credentials import as_principal, client_options, kafka_auth
from tests.support.villages import village_body

pytestmark = pytest.mark.e2e
EXAMPLE = REPO_ROOT / "examples" / "district_counts.py"


def overview(stack) -> dict[str, int]:
    r = httpx.get(stack.url("publicity") + "/stats/overview", timeout=5)
    r.raise_for_status()
    return {d["code"]: d["villages"] for d in r.json()["districts"] if d["villages"]}


def run_example(settings) -> dict[str, int]:
    """The example as another bureau runs it: as the read-only ``bureau`` principal."""
    auth = kafka_auth(as_principal(settings, BUREAU))
    protocol = ["--security-protocol", auth.protocol]
    env = os.environ | ({"KAFKA_USERNAME": auth.username, "KAFKA_PASSWORD": auth.password} if auth.sasl else {})
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "--bootstrap", settings.kafka_bootstrap, "--topic", settings.topic("registry"),
         *protocol], capture_output=True, text=True, timeout=60, check=True, env=env,
    )
    return json.loads(done.stdout.splitlines()[-1])["districts"]


async def records(settings, topic: str) -> list:
    consumer = AIOKafkaConsumer(topic, **client_options(settings), group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        deadline = time.monotonic() + 15
        while not consumer.assignment() and time.monotonic() < deadline:
            await consumer.getmany(timeout_ms=100)
        partitions = sorted(consumer.assignment())
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        out, behind = [], {tp for tp in partitions if ends[tp] > 0}
        while behind:
            for tp, batch in (await consumer.getmany(timeout_ms=1000)).items():
                out += [r for r in batch if r.offset < ends[tp]]
                if batch and batch[-1].offset >= ends[tp] - 1:
                    behind.discard(tp)
        return out
    finally:
        await consumer.stop()


async def test_example_rebuilds_villages_per_district_like_publicity(stack, token, settings):
    for district in ("120110", "120113", "120113", "120119"):
        r = httpx.post(stack.url("registry") + "/villages", json=village_body(district), headers=token())
        assert r.status_code == 201, r.text
    # A copy of a record the relay already published, as after a crash between ack and checkpoint.
    deadline = time.monotonic() + 20
    while not (registered := [r for r in await records(settings, settings.topic("registry"))
                              if dict(r.headers)["ce_type"].endswith(b".VillageRegistered.v1")]):
        assert time.monotonic() < deadline, "the relay published nothing"
        time.sleep(0.2)
    copy = registered[-1]
    producer = AIOKafkaProducer(**client_options(settings))
    await producer.start()
    try:
        await producer.send_and_wait(copy.topic, copy.value, key=copy.key, headers=list(copy.headers))
    finally:
        await producer.stop()

    deadline = time.monotonic() + 30
    while True:  # publicity's worker may still be applying the last registrations
        published, rebuilt = overview(stack), run_example(settings)
        if published == rebuilt or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert rebuilt == published
    assert rebuilt["120113"] >= 2


async def test_every_record_on_the_wire_matches_the_contract(stack, token, settings):
    r = httpx.post(stack.url("registry") + "/villages", json=village_body("120112"), headers=token())
    assert r.status_code == 201, r.text
    files = render()
    document = yaml.safe_load(files["asyncapi.yaml"])
    registry = Registry().with_resources(
        (f"./{rel}", Resource.from_contents(json.loads(text))) for rel, text in files.items() if rel.endswith(".json"))
    by_ce_type = {}
    for message in document["components"]["messages"].values():
        ce_type = message["headers"]["allOf"][1]["properties"]["ce_type"]
        for kind in ce_type.get("enum", [ce_type.get("const")]):
            by_ce_type[kind] = message
    headers_schema = document["components"]["schemas"]["CloudEventsHeaders"]

    deadline = time.monotonic() + 20
    seen: list = []
    while not seen and time.monotonic() < deadline:
        seen = await records(settings, settings.topic("registry"))
    assert seen
    for record in seen:
        headers = {k: v.decode() for k, v in record.headers}
        Draft202012Validator(headers_schema).validate(headers)
        message = by_ce_type[headers["ce_type"]]
        Draft202012Validator(message["payload"], registry=registry).validate(json.loads(record.value))
        assert record.key.decode() == headers["ce_subject"] == json.loads(record.value)["stream_id"]
