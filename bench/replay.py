"""Replay: rebuild the publicity projections from a registry topic of N events, beside a
raw aiokafka consumer reading the same topic without processing.

The topic is filled with ``VillageRegistered`` events in the relay's exact wire form
(envelope JSON, CloudEvents headers, keyed by stream). Every publicity projection is
rebuilt, all together (``rebuild_together``: one pass over their topics, each record
decoded once); those that do not read the registry topic are rebuilt too (their topics
are empty), so the figure is the whole read side's rebuild time.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from rich.progress import Progress

from bench.harness import Figure, console
from shared.config import Settings
from shared.db import create_pool, drop_database, ensure_database
from shared.eventstore import RecordedEvent
from shared.messaging.credentials import client_options
from shared.messaging.kafka import encode, ensure_topics, headers_for
from shared.stack.leftovers import delete_topics
from shared.migrations import migrate
from shared.projections import ProjectionRunner, rebuild_together
from shared.reference.places import DISTRICTS


async def fill(settings: Settings, topic: str, n: int) -> None:
    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True,
                                linger_ms=20, max_batch_size=512 * 1024)
    await producer.start()
    districts, now, correlation = list(DISTRICTS), datetime.now(UTC), uuid.uuid4()
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("填充主题 filling topic", total=n)
            batch = []
            for i in range(n):
                district = districts[i % len(districts)]
                code = f"{district}{i % 1_000_000:06d}"
                event = RecordedEvent(
                    event_id=uuid.uuid4(), type="VillageRegistered", schema_version=1, source="registry",
                    stream_id=f"village-{code}-{i // 1_000_000}", stream_version=1, global_position=i + 1,
                    occurred_at=now, recorded_at=now, correlation_id=correlation, actor="bench",
                    payload={"code": f"{code}{i // 1_000_000 or ''}", "name": "基准村", "district": district,
                             "town": "基准镇", "village_type": "agriculture",
                             "income_fen": {"2018": 100, "2019": 200, "2020": 300}},
                )
                batch.append(await producer.send(topic, encode(event), key=event.stream_id.encode(),
                                                  headers=headers_for(event, None)))
                if len(batch) >= 5000:
                    await asyncio.gather(*batch)
                    bar.advance(task, len(batch))
                    batch = []
            await asyncio.gather(*batch)
    finally:
        await producer.stop()


async def raw_read(settings: Settings, topic: str) -> float:
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # noqa: SLF001 — no public call for an unsubscribed topic
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        total, started, remaining = 0, time.perf_counter(), {tp for tp, e in ends.items() if e}
        while remaining:
            for tp, records in (await consumer.getmany(*remaining, timeout_ms=1000, max_records=5000)).items():
                total += len(records)
                if records and records[-1].offset >= ends[tp] - 1:
                    remaining.discard(tp)
        return total / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def run_async(settings: Settings, n: int) -> list[Figure]:
    from services.publicity.adapters.schema import CHAIN
    from services.publicity.projections import PROJECTIONS

    prefix = f"br{uuid.uuid4().hex[:6]}."
    topics = {s: f"{prefix}{s}.events" for s in ("registry", "funding", "assessment", "publicity")}
    database = f"{settings.db_prefix}bench_replay_{uuid.uuid4().hex[:6]}"
    try:
        await ensure_topics(settings, list(topics.values()), settings.topic_partitions)
        await fill(settings, topics["registry"], n)
        raw = await raw_read(settings, topics["registry"])
        await ensure_database(settings, database)
        await asyncio.to_thread(migrate, settings, CHAIN, database)
        pool = await create_pool(settings.dsn_for(database), max_size=len(PROJECTIONS) + 1)
        try:
            started = time.perf_counter()
            runners = [ProjectionRunner(pool, p, {s: topics[s] for s in p.sources}) for p in PROJECTIONS]
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task("重放 replaying", total=None)
                await rebuild_together(runners, settings,
                                       progress=lambda done, total: bar.update(task, completed=done, total=total))
            ours = n / (time.perf_counter() - started)
        finally:
            await pool.close()
    finally:
        await drop_database(settings, database)
        await delete_topics(settings, prefix)  # N events: a full run's topic alone is hundreds of MB
    figure = Figure(f"replay of {n:,} events into every publicity projection", ours, "events/s",
                    "raw aiokafka consumer", raw, target=">= 0.35× raw",
                    notes=f"{len(PROJECTIONS)} projections rebuilt in one pass over the topics")
    figure.met = figure.ratio >= 0.35
    return [figure]


def run(settings: Settings, n: int) -> list[Figure]:
    return asyncio.run(run_async(settings, n))
