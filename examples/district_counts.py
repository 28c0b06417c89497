"""Villages per district, rebuilt from Xingcun's event log with nothing but aiokafka.

What another bureau's system does to build a statistic of its own from Xingcun's events:

1. read ``registry.events`` from offset zero (the topic keeps every event forever);
2. skip a record whose ``global_position`` is not above the highest one already applied
   for its partition — delivery is at least once, and a copy may come under a new offset;
3. switch on the CloudEvents type header (``ce_type``), count what it knows and pass over
   anything else: new event types and versions appear without notice.

Run it against a deployment (``docker compose up`` serves Kafka on localhost:9094) as the
read-only ``bureau`` principal Xingcun's operators give you (docs/integration.md)::

    pip install aiokafka
    export KAFKA_USERNAME=bureau KAFKA_PASSWORD=...      # never on the command line
    python examples/district_counts.py --bootstrap localhost:9094
    python examples/district_counts.py --bootstrap localhost:9094 --follow   # then keep up
    # Kubernetes (TLS): --security-protocol SASL_SSL --cafile ca.crt

It prints ``{"villages_total": N, "districts": {"<district code>": n, ...}}`` — the same
figures as the publicity service's ``GET /stats/overview``. It imports nothing of Xingcun:
the contract is docs/contracts/ (AsyncAPI and JSON Schemas).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import sys
from collections import Counter

from aiokafka import AIOKafkaConsumer, TopicPartition

REGISTERED = "cn.xingcun.registry.VillageRegistered.v1"


class VillagesPerDistrict:
    """The statistic and what it has applied, kept together.

    A consumer that stores its figures should store ``applied`` in the same transaction,
    and resume from it: then a crash between the two can never count an event twice.
    """

    def __init__(self) -> None:
        self.districts: Counter[str] = Counter()
        self.applied: dict[tuple[str, int], int] = {}  # (topic, partition) → highest global_position
        self.unknown: Counter[str] = Counter()

    def apply(self, topic: str, partition: int, value: bytes, headers: dict[str, bytes]) -> bool:
        """Apply one record; False when it is a copy of one already applied."""
        event = json.loads(value)
        position = event["global_position"]
        if position <= self.applied.get((topic, partition), 0):
            return False
        self.applied[(topic, partition)] = position
        kind = headers.get("ce_type", b"").decode()
        if kind == REGISTERED:
            self.districts[event["payload"]["district"]] += 1
        elif ".VillageRegistered." in kind:  # a newer version than this consumer knows
            self.unknown[kind] += 1
        return True

    def figures(self) -> dict:
        return {"villages_total": sum(self.districts.values()), "districts": dict(sorted(self.districts.items()))}


def security(protocol: str, mechanism: str, cafile: str | None) -> dict:
    """aiokafka's security options: SASL/SCRAM with the credentials from the environment."""
    if protocol == "PLAINTEXT":
        return {}
    options = {"security_protocol": protocol, "sasl_mechanism": mechanism,
               "sasl_plain_username": os.environ["KAFKA_USERNAME"], "sasl_plain_password": os.environ["KAFKA_PASSWORD"]}
    if protocol == "SASL_SSL":
        options["ssl_context"] = ssl.create_default_context(cafile=cafile)
    return options


async def replay(bootstrap: str, topic: str, follow: bool, auth: dict | None = None) -> VillagesPerDistrict:
    statistic = VillagesPerDistrict()
    # No consumer group: this reader is given every partition, starts at offset zero and
    # keeps its own progress (``applied``) instead of committing offsets.
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **(auth or {}), group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", isolation_level="read_committed")
    await consumer.start()
    try:
        if topic not in await consumer.topics():  # asked first: subscribing may auto-create it
            raise SystemExit(f"topic {topic!r} not found on {bootstrap}")
        consumer.subscribe([topic])
        partitions = await assigned(consumer)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)  # "now": replay up to here, then report
        behind = {tp for tp in partitions if ends[tp] > 0}
        reported = False
        while behind or follow:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, records in batches.items():
                for record in records:
                    statistic.apply(tp.topic, tp.partition, record.value, dict(record.headers or ()))
                    if record.offset >= ends[tp] - 1:
                        behind.discard(tp)
            if not behind and (not reported or batches):
                print(json.dumps(statistic.figures(), ensure_ascii=False), flush=True)
                reported = True
        if not reported:  # an empty topic
            print(json.dumps(statistic.figures(), ensure_ascii=False), flush=True)
        return statistic
    finally:
        await consumer.stop()


async def assigned(consumer: AIOKafkaConsumer, timeout: float = 15.0) -> list[TopicPartition]:
    """The partitions of the subscribed topic, once the consumer has its metadata."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not consumer.assignment():
        if loop.time() > deadline:
            raise SystemExit("no partitions assigned")
        await asyncio.sleep(0.05)
    return sorted(consumer.assignment())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default="localhost:9094", help="Kafka bootstrap servers")
    parser.add_argument("--topic", default="registry.events", help="the registry's topic (a deployment may prefix it)")
    parser.add_argument("--follow", action="store_true", help="keep consuming and print each change")
    parser.add_argument("--security-protocol", default="SASL_PLAINTEXT",
                        choices=["SASL_PLAINTEXT", "SASL_SSL", "PLAINTEXT"],
                        help="SASL_SSL in Kubernetes; credentials from KAFKA_USERNAME and KAFKA_PASSWORD")
    parser.add_argument("--mechanism", default="SCRAM-SHA-512", choices=["SCRAM-SHA-512", "SCRAM-SHA-256"])
    parser.add_argument("--cafile", help="the CA of the brokers' certificates (SASL_SSL)")
    args = parser.parse_args()
    auth = security(args.security_protocol, args.mechanism, args.cafile)
    statistic = asyncio.run(replay(args.bootstrap, args.topic, args.follow, auth))
    for kind, n in statistic.unknown.items():
        print(f"skipped {n} events of a version this consumer does not know: {kind}", file=sys.stderr)


if __name__ == "__main__":
    main()
