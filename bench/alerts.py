"""Alert delivery latency: from an alert event's append in monitoring's store to its arrival
on the SSE stream (``GET /alerts/stream``) and at a webhook receiver, beside the raw Kafka
produce → consume round trip measured in the same run.

What runs is what production runs, in one process on the real PostgreSQL and Kafka: the
outbox relay (sequencing, publishing to a topic of this run, woken by the commit signal as
the API wakes it), the stream's route under uvicorn with its shared watcher, the webhook
dispatcher POSTing signed CloudEvents to an aiohttp receiver. Measured from ``AlertRaised``'s
append: the rule engine (core's reactor, trip event → ``AlertRaised``) is not in this path,
so its own time adds to these figures; one appending transaction, at most, is its cost.

The appends are paced (open loop, ``rate`` per second) as the scenario's alerts come:
a few a second at the most.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import time
from datetime import date
from uuid import uuid4

import httpx
import uvicorn
from aiohttp import web
from fastapi import FastAPI

from bench.e2e import kafka_round_trip, pct
from bench.harness import Figure, step
from shared.config import Settings, get_settings
from shared.contracts.monitoring import AlertRaised
from shared.db import create_pool, drop_database, ensure_database
from shared.eventstore import CommandMeta, EventStore
from shared.migrations import migrate
from shared.http.auth import Principal, Role, issue_token
from shared.http.errors import install_error_handlers
from shared.identity import Principal as Owner
from shared.messaging.kafka import ensure_topics, event_producer
from shared.outbox.relay import OutboxRelay
from shared.outbox.wakeup import CommitSignal

from services.monitoring.adapters import subscriptions
from services.monitoring.adapters.schema import CHAIN
from services.monitoring.adapters.webhooks import WebhookDispatcher
from services.monitoring.domain.webhooks import Filters
from services.monitoring.entrypoints.routes import stream

DRAIN = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alert(i: int) -> AlertRaised:
    alert_id = f"bench-{i}-{uuid4().hex[:8]}"
    return AlertRaised(alert_id=alert_id, rule_id="funding.approval_waiting", rule_version=1, severity="warning",
                       subject_kind="disbursement", subject_id=f"d-{i}", district="120111", audience=["city_office"],
                       raised_on=date(2023, 3, 1), cause_event_id=uuid4(), title="基准 / bench", figures={"days": 21})


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
    """Latencies (s) to the stream, to the webhook receiver and to sequencing, and how many never arrived."""
    database = f"{settings.db_prefix}bench_alerts_{secrets.token_hex(2)}"
    topic = f"{settings.topic_prefix}bench-alerts-{secrets.token_hex(2)}"
    await ensure_database(settings, database)
    await asyncio.to_thread(migrate, settings, CHAIN, database)
    pool = await create_pool(settings.dsn_for(database), max_size=10)
    stopping, tasks = asyncio.Event(), []
    server = runner = dispatcher = signal = producer = None
    reader: asyncio.Task | None = None
    try:
        await ensure_topics(settings, [topic], settings.topic_partitions)
        signal = CommitSignal(pool)
        signal.start()
        store = EventStore(pool, "monitoring", on_commit=signal.poke)
        producer = event_producer(settings)
        await producer.start()
        relay = OutboxRelay(pool, producer, source="monitoring", topic=topic)
        tasks.append(asyncio.create_task(relay.run(stopping)))

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
        tasks.append(asyncio.create_task(_sequenced(pool, sequenced, stopping)))
        appended: dict[str, float] = {}

        async def append(i: int) -> None:
            event = _alert(i)
            t0 = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                await store.append(conn, f"alert-{event.alert_id}", 0, [event], CommandMeta(actor="bench"))
            signal.poke()  # as EventStore.execute does after a command commits
            appended[event.alert_id] = t0

        # Warm-up: the relay leads, the stream's watcher and the dispatcher have started.
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
        return to_stream, to_hook, to_log, own, 2 * count - len(to_stream) - len(to_hook)
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
        if signal is not None:
            await signal.stop()
        if producer is not None:
            await producer.stop()
        if runner is not None:
            await runner.cleanup()
        await pool.close()
        await drop_database(settings, database)


async def run_async(settings: Settings, rate: float, count: int) -> list[Figure]:
    kafka = [x * 1000 for x in await kafka_round_trip(settings,
                                                       settings.topic_prefix + "roundtrip-alerts", n=100)]
    k50, k99 = pct(kafka, 50), pct(kafka, 99)
    step(f"{count} 条预警，每秒 {rate:g} 条 / {count} alerts at {rate:g}/s")
    to_stream, to_hook, to_log, own, lost = await measure(settings, rate, count)
    log_ms = [x * 1000 for x in to_log]
    figures = [Figure("raw Kafka produce→consume p99 (alerts run)", k99, "ms", lower_is_better=True,
                      notes=f"p50 {k50:.1f} ms"),
               Figure("alert append → sequenced in the log p99", pct(log_ms, 99), "ms", lower_is_better=True,
                      notes=f"p50 {pct(log_ms, 50):.0f} ms: the relay's share, before any delivery can see it "
                            f"(held back by any transaction open on the PostgreSQL cluster)")]
    for name, values in (("SSE", to_stream), ("webhook", to_hook)):
        ms = [x * 1000 for x in values]
        p50, p95, p99 = pct(ms, 50), pct(ms, 95), pct(ms, 99)
        note = (f"AlertRaised append → arrival; p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms; "
                f"{len(ms)} measured at {rate:g}/s; {lost} not arrived in all")
        f99 = Figure(f"alert → {name} p99", p99, "ms", "raw Kafka p99", k99, lower_is_better=True,
                     target="<= 1000 ms", notes=note)
        f99.met = p99 <= 1000 and lost == 0
        f50 = Figure(f"alert → {name} p50", p50, "ms", "raw Kafka p50", k50, lower_is_better=True, notes=note)
        own_ms = [x * 1000 for x in own[name]]
        figures += [f50, f99, Figure(f"sequenced → {name} p99 (the delivery's own share)", pct(own_ms, 99), "ms",
                                     lower_is_better=True, notes=f"p50 {pct(own_ms, 50):.0f} ms")]
    return figures


def run(rate: float, count: int) -> list[Figure]:
    return asyncio.run(run_async(get_settings(), rate, count))
