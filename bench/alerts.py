"""Alert latency: from the append of the event that trips a rule, in the source service's
store, to the alert's arrival on the SSE stream (``GET /alerts/stream``) and at a webhook
receiver, beside the raw Kafka produce → consume round trip measured in the same run.

What runs is what production runs, in one process on the real PostgreSQL and Kafka: the
source service's outbox relay (assessment's store, woken by its commit signal as its API
wakes it) publishing to a topic of this run; monitoring's rule reactor (``Watch``) applying
what it consumes through ``shared.worker.apply_until_done``, the function the worker's
agents call (fed here by a plain consumer instead of a faust agent: records are handed over
as soon as a fetch returns, as ``take_ready`` does); monitoring's relay (woken in-process after
the reactor's batch, as the worker's agent wakes it); the stream's route under
uvicorn with its shared watcher; the webhook dispatcher POSTing signed CloudEvents to an
aiohttp receiver. The tripping event is a flagged collective-income report
(``income.report_flagged``, raised at once), one village each.

The appends are paced (open loop, ``rate`` per second) as the scenario's alerts come:
a few a second at the most.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import time

import httpx
import uvicorn
from aiohttp import web
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI

from bench.e2e import kafka_round_trip
from bench.load import pct
from bench.harness import Figure, step
from shared.config import Settings, get_settings
from shared.contracts.assessment import CollectiveIncomeReported
from shared.db import create_pool, drop_database, ensure_database
from shared.eventstore import CommandMeta, EventStore
from shared.migrations import migrate
from shared.http.auth import Principal, Role, issue_token
from shared.http.errors import install_error_handlers
from shared.identity import Principal as Owner
from shared.messaging.kafka import decode, ensure_topics, event_producer
from shared.outbox.publisher import Publisher
from shared.stack.leftovers import delete_topics
from shared.outbox.relay import OutboxRelay
from shared.outbox.wakeup import CommitSignal
from shared.messaging.credentials import client_options
from shared.migrations import EVENT_STORE, Chain
from shared.projections import Delivery, ProjectionRunner
from shared.worker import apply_until_done

from services.monitoring.adapters import subscriptions
from services.monitoring.adapters.schema import CHAIN
from services.monitoring.adapters.webhooks import WebhookDispatcher
from services.monitoring.domain.alert import alert_id
from services.monitoring.domain.webhooks import Filters
from services.monitoring.entrypoints.routes import stream
from services.monitoring.projections.watch import Watch

DRAIN = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _trip(i: int, run: str) -> CollectiveIncomeReported:
    """A flagged report: ``income.report_flagged`` raises on it at once."""
    return CollectiveIncomeReported(village_code=f"120111{run}{i + 2:05d}", district="120111", year=2023,
                                    income_fen=15_000_000, flagged=True, flag_reason="基准 / bench")


async def _react(settings: Settings, topic: str, partitions: int, runner: ProjectionRunner,
                 stopping: asyncio.Event, consumed: dict[str, float], wake_relay) -> None:
    """Monitoring's reactor on the source topic: every fetch applied as one batch (``consumed``:
    when each stream's record arrived from Kafka)."""
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False, isolation_level="read_committed")
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        while not stopping.is_set():
            batch = await consumer.getmany(timeout_ms=100, max_records=500)
            deliveries = [Delivery(r.topic, r.partition, r.offset, r.value, {}) for rs in batch.values() for r in rs]
            now = time.perf_counter()
            for d in deliveries:
                consumed.setdefault(decode(d.value).stream_id, now)
            if deliveries:
                await apply_until_done(runner, deliveries)
                wake_relay()  # as the worker's agent does after a reactor's batch
    finally:
        await consumer.stop()


async def _sse(url: str, token: str, arrived: dict[str, float], ready: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=None)) as client, client.stream(
            "GET", f"{url}/alerts/stream", headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"},
            params={"heartbeat": 1}) as response:
        ready.set()
        async for line in response.aiter_lines():
            if line.startswith("data:") and "alert_id" in (data := json.loads(line[5:])):
                arrived[data["alert_id"]] = time.perf_counter()


async def _sequenced(pool, seen: dict[str, float], stopping: asyncio.Event) -> None:
    """When each alert got its position (the relay's sequencing): the part of the latency
    that is the event log's, not the delivery's."""
    last = 0
    while not stopping.is_set():
        async with pool.acquire() as conn:
            rows = await conn.fetch("select l.position, e.stream_id from es.log l join es.events e on e.id = l.event_row "
                                    "where l.position > $1 order by l.position", last)
        now = time.perf_counter()
        for r in rows:
            seen.setdefault(r["stream_id"].removeprefix("alert-"), now)
            last = r["position"]
        await asyncio.sleep(0.005)


async def measure(settings: Settings, rate: float, count: int) -> tuple[list[float], list[float], list[float], dict[str, list[float]], int]:
    """Latencies (s) from the tripping event's append to the stream, to the webhook receiver
    and to the alert's sequencing in monitoring's log, and how many never arrived."""
    run = secrets.token_hex(2)
    database, source_db = f"{settings.db_prefix}bench_alerts_{run}", f"{settings.db_prefix}bench_trips_{run}"
    topic = f"{settings.topic_prefix}bench-alerts-{run}"
    source_topic = f"{settings.topic_prefix}bench-trips-{run}"
    await ensure_database(settings, database)
    await ensure_database(settings, source_db)
    await asyncio.to_thread(migrate, settings, CHAIN, database)
    await asyncio.to_thread(migrate, settings, Chain("assessment", (EVENT_STORE,)), source_db)
    pool = await create_pool(settings.dsn_for(database), max_size=10)
    source_pool = await create_pool(settings.dsn_for(source_db), max_size=4)
    stopping, tasks = asyncio.Event(), []
    server = runner = dispatcher = producer = None
    signals: list[CommitSignal] = []
    reader: asyncio.Task | None = None
    try:
        await ensure_topics(settings, [topic, source_topic], settings.topic_partitions)
        for p in (pool, source_pool):
            signals.append(CommitSignal(p))
            signals[-1].start()
        source = EventStore(source_pool, "assessment", on_commit=signals[1].poke)
        store = EventStore(pool, "monitoring", on_commit=signals[0].poke)
        producer = event_producer(settings)
        await producer.start()
        relay = OutboxRelay(Publisher(pool, producer, source="monitoring", topic=topic))
        tasks += [asyncio.create_task(relay.run(stopping)),
                  asyncio.create_task(OutboxRelay(Publisher(source_pool, producer, source="assessment",
                                                            topic=source_topic)).run(stopping))]
        watch = ProjectionRunner(pool, Watch(), {"assessment": source_topic})
        consumed: dict[str, float] = {}
        tasks.append(asyncio.create_task(_react(settings, source_topic, settings.topic_partitions,
                                                watch, stopping, consumed, relay.wakeup.event.set)))

        hooked: dict[str, float] = {}

        async def hook(request: web.Request) -> web.Response:
            hooked[json.loads(await request.read())["alert_id"]] = time.perf_counter()
            return web.Response(status=204)

        receiver = web.Application()
        receiver.router.add_post("/hook", hook)
        runner = web.AppRunner(receiver)
        await runner.setup()
        hook_port = _free_port()
        await web.TCPSite(runner, "127.0.0.1", hook_port).start()
        async with pool.acquire() as conn:
            await subscriptions.create(conn, subscriptions.NewSubscription(
                f"http://127.0.0.1:{hook_port}/hook", secrets.token_urlsafe(24), Filters()),
                Owner(subject="bench", role=Role.city_office))
        dispatcher = WebhookDispatcher(pool)
        tasks.append(asyncio.create_task(dispatcher.run()))

        app = FastAPI()
        install_error_handlers(app)
        app.state.store = store
        app.include_router(stream.router)
        api_port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=api_port, log_level="warning",
                                               lifespan="off"))
        tasks.append(asyncio.create_task(server.serve()))
        while not server.started:
            await asyncio.sleep(0.02)
        streamed: dict[str, float] = {}
        ready = asyncio.Event()
        token = issue_token(settings, Principal(subject="bench", role=Role.city_office))
        reader = asyncio.create_task(_sse(f"http://127.0.0.1:{api_port}", token, streamed, ready))
        await ready.wait()
        sequenced: dict[str, float] = {}
        source_sequenced: dict[str, float] = {}
        tasks += [asyncio.create_task(_sequenced(pool, sequenced, stopping)),
                  asyncio.create_task(_sequenced(source_pool, source_sequenced, stopping))]
        appended: dict[str, float] = {}
        stream_of: dict[str, str] = {}

        async def append(i: int) -> None:
            event = _trip(i, run)
            t0 = time.perf_counter()
            async with source_pool.acquire() as conn, conn.transaction():
                [recorded] = await source.append(conn, f"income-{event.village_code}", 0, [event],
                                                 CommandMeta(actor="bench"))
            signals[1].poke()  # as EventStore.execute does after a command commits
            subject = f"{event.village_code}:collective:{event.year}"
            aid = alert_id("income.report_flagged", "village", subject, str(recorded.event_id))
            appended[aid], stream_of[aid] = t0, recorded.stream_id

        # Warm-up: both relays lead, the reactor, the stream's watcher and the dispatcher have started.
        await append(-1)
        while len(streamed) < 1 or len(hooked) < 1:
            await asyncio.sleep(0.05)
        streamed.clear(), hooked.clear(), appended.clear()
        started = time.perf_counter()
        for i in range(count):
            # Open loop: each append is due at its time, whatever the previous one cost.
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            await append(i)
        deadline = time.perf_counter() + DRAIN
        while (len(streamed) < count or len(hooked) < count) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        to_stream = [streamed[a] - t for a, t in appended.items() if a in streamed]
        to_hook = [hooked[a] - t for a, t in appended.items() if a in hooked]
        to_log = [sequenced[a] - t for a, t in appended.items() if a in sequenced]
        # The delivery's own share: from the position being visible to the arrival.
        own = {"SSE": [streamed[a] - sequenced[a] for a in appended if a in streamed and a in sequenced],
               "webhook": [hooked[a] - sequenced[a] for a in appended if a in hooked and a in sequenced]}
        # The way there, stage by stage: sequenced in the source's log, consumed by the reactor.
        stages = {"source log": [source_sequenced[stream_of[a]] - t for a, t in appended.items()
                                 if stream_of[a] in source_sequenced],
                  "consumed": [consumed[stream_of[a]] - t for a, t in appended.items() if stream_of[a] in consumed]}
        return to_stream, to_hook, to_log, own | stages, 2 * count - len(to_stream) - len(to_hook)
    finally:
        stopping.set()
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
        if dispatcher is not None:
            dispatcher.stop()
        if server is not None:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for signal in signals:
            await signal.stop()
        if producer is not None:
            await producer.stop()
        if runner is not None:
            await runner.cleanup()
        await pool.close()
        await source_pool.close()
        await drop_database(settings, database)
        await drop_database(settings, source_db)
        for name in (topic, source_topic):
            await delete_topics(settings, name)


async def run_async(settings: Settings, rate: float, count: int) -> list[Figure]:
    kafka = [x * 1000 for x in await kafka_round_trip(settings,
                                                       settings.topic_prefix + "roundtrip-alerts", n=100)]
    k50, k99 = pct(kafka, 50), pct(kafka, 99)
    step(f"{count} 条预警，每秒 {rate:g} 条 / {count} alerts at {rate:g}/s")
    to_stream, to_hook, to_log, own, lost = await measure(settings, rate, count)
    log_ms = [x * 1000 for x in to_log]
    source_ms, consumed_ms = ([x * 1000 for x in own[k]] for k in ("source log", "consumed"))
    figures = [Figure("raw Kafka produce→consume p99 (alerts run)", k99, "ms", lower_is_better=True,
                      notes=f"p50 {k50:.1f} ms"),
               Figure("tripping event append → sequenced in the source's log p99", pct(source_ms, 99), "ms",
                      lower_is_better=True, notes=f"p50 {pct(source_ms, 50):.0f} ms: the source relay's share"),
               Figure("tripping event append → consumed by the rule reactor p99", pct(consumed_ms, 99), "ms",
                      lower_is_better=True, notes=f"p50 {pct(consumed_ms, 50):.0f} ms: source relay and Kafka"),
               Figure("tripping event append → alert sequenced in monitoring's log p99", pct(log_ms, 99), "ms",
                      lower_is_better=True,
                      notes=f"p50 {pct(log_ms, 50):.0f} ms: source relay, Kafka, the rule reactor and monitoring's "
                            f"relay, before any delivery can see it (held back by any transaction open on the "
                            f"PostgreSQL cluster)")]
    for name, values in (("SSE", to_stream), ("webhook", to_hook)):
        ms = [x * 1000 for x in values]
        p50, p95, p99 = pct(ms, 50), pct(ms, 95), pct(ms, 99)
        note = (f"tripping event append → arrival; p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms; "
                f"{len(ms)} measured at {rate:g}/s; {lost} not arrived in all")
        f99 = Figure(f"tripping event → {name} p99", p99, "ms", "raw Kafka p99", k99, lower_is_better=True,
                     target="<= 1000 ms", notes=note)
        f99.met = p99 <= 1000 and lost == 0
        f50 = Figure(f"tripping event → {name} p50", p50, "ms", "raw Kafka p50", k50, lower_is_better=True, notes=note)
        own_ms = [x * 1000 for x in own[name]]
        figures += [f50, f99, Figure(f"sequenced → {name} p99 (the delivery's own share)", pct(own_ms, 99), "ms",
                                     lower_is_better=True, notes=f"p50 {pct(own_ms, 50):.0f} ms")]
    return figures


def run(rate: float, count: int) -> list[Figure]:
    return asyncio.run(run_async(get_settings(), rate, count))
