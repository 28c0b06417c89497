"""End to end: HTTP command → statistic updated, at steady rates, beside a raw Kafka
produce → consume round trip measured in the same run.

Each command registers a new village, sent by vegeta at a constant rate (``bench.load``: a
Python client on these two cores saturates before the API does — at 200/s it reached 140/s
and made the API's answers wait seconds for the CPU); a watcher polls publicity's read model
for the pending codes every 2 ms, so a latency includes up to 2 ms of polling.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.harness import Figure, step
from bench.load import DRAIN, Arrivals, offer, pct, village_body
from bench.stack import BenchStack
from shared.http.auth import Principal, Role, issue_token
from shared.config import Settings
from shared.messaging.credentials import client_options
from shared.messaging.kafka import ensure_topics

IN_FLIGHT = 64


async def kafka_round_trip(settings: Settings, topic: str, n: int = 200) -> list[float]:
    await ensure_topics(settings, [topic], 1)
    consumer = AIOKafkaConsumer(topic, **client_options(settings), auto_offset_reset="latest")
    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    try:
        while not consumer.assignment():
            await asyncio.sleep(0.05)
        await consumer.seek_to_end()
        latencies = []
        for i in range(n):
            sent = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode())
            async for record in consumer:
                if record.value == str(i).encode():
                    break
            latencies.append(time.perf_counter() - sent)
            await asyncio.sleep(0.01)
        return latencies
    finally:
        await producer.stop()
        await consumer.stop()


async def steady(stack: BenchStack, rate: float, seconds: float, serial: int,
                 in_flight_max: int = IN_FLIGHT) -> tuple[list[float], list[float], float, int]:
    """A Python client's commands at a low rate, to warm a stack up (connections, the consumer's
    assignment): latencies to the read model, of the HTTP answers alone, the rate achieved,
    failures. ``in_flight_max`` bounds the requests on the wire."""
    token = issue_token(stack.settings, Principal(subject="bench", role=Role.city_office))
    sent_at: dict[str, float] = {}
    answered: dict[str, float] = {}
    arrivals = Arrivals(stack.settings.dsn("publicity"))
    failures = 0
    done = asyncio.Event()
    # Open loop: commands are due at the rate whatever the server does, and a latency counts
    # from the moment its command was due. At most IN_FLIGHT requests are on the wire; the
    # rest wait here — httpx's own pool queue costs time quadratic in its length and would
    # make the load generator, not the system, the bottleneck.
    in_flight = asyncio.Semaphore(in_flight_max)

    async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=30,
                                 headers={"Authorization": f"Bearer {token}"},
                                 limits=httpx.Limits(max_connections=in_flight_max)) as client:
        async def command(i: int) -> None:
            nonlocal failures
            code = f"120119{(serial + i) % 1_000_000:06d}"
            sent_at[code] = time.time()
            arrivals.expect(code, sent_at[code])
            body = village_body(code)
            try:
                async with in_flight:
                    for attempt in range(3):
                        # As a real client does: a connection the server closed while idle is retried
                        # with the same idempotency key, and the latency counts from the first try.
                        try:
                            r = await client.post("/villages", json=body, headers={"Idempotency-Key": f"bench-{code}"})
                            break
                        except httpx.TransportError:
                            if attempt == 2:
                                r = None
            except asyncio.CancelledError:
                arrivals.forget(code)  # not answered in time: counted as failed, not waited for
                raise
            if r is None or r.status_code not in (200, 201):
                failures += 1
                arrivals.forget(code)
            else:
                answered[code] = time.time()

        watcher = asyncio.create_task(arrivals.watch(done, DRAIN))
        started, tasks, i = time.time(), [], 0
        while (elapsed := time.time() - started) < seconds:
            due = int(elapsed * rate)
            while i < due:
                tasks.append(asyncio.create_task(command(i)))
                i += 1
            await asyncio.sleep(0.002)
        # Bounded: what the server has not answered DRAIN seconds after the last command was
        # due is cancelled and counted as failed.
        _, late = await asyncio.wait(tasks, timeout=DRAIN)
        for task in late:
            task.cancel()
        failures += len(late)
        achieved = len(answered) / (max(answered.values(), default=started) - started or 1)
        done.set()
        await watcher
    return list(arrivals.latencies.values()), [answered[c] - sent_at[c] for c in answered], achieved, failures


async def run_async(stack: BenchStack, rates: list[int], seconds: float) -> list[Figure]:
    kafka = await kafka_round_trip(stack.settings, stack.settings.topic_prefix + "roundtrip")
    kafka_p50 = statistics.median(kafka) * 1000
    figures = [Figure("raw Kafka produce→consume p50", kafka_p50, "ms", lower_is_better=True)]
    # Warm-up: the first records after a consumer joins its group wait for the assignment.
    await steady(stack, 10, 3.0, serial=900_000)
    for n, rate in enumerate(rates):
        step(f"{rate} 命令/秒，持续 {seconds:.0f} 秒 / {rate} commands/s for {seconds:.0f} s")
        got = await offer(stack, seconds, serial=n * 200_000, rate=rate, workers=IN_FLIGHT)
        ms = [x * 1000 for x in got.arrivals.latencies.values()]
        p50, p95, p99 = pct(ms, 50), pct(ms, 95), pct(ms, 99)
        answers = [a.latency for a in got.accepted]
        note = (f"sent {len(got.answers) / seconds:.0f}/s, p95 {p95:.0f} ms, HTTP answer alone p50 "
                f"{pct(answers, 50) * 1000:.1f} ms, {len(ms)} measured, {got.failed} failed")
        f99 = Figure(f"e2e p99 at {rate}/s", p99, "ms", lower_is_better=True, notes=note,
                     target="<= 1000 ms" if rate == 200 else None)
        f99.met = p99 <= 1000 and not got.failed if rate == 200 else None
        f50 = Figure(f"e2e p50 at {rate}/s vs Kafka round trip", p50, "ms", "raw Kafka p50", kafka_p50,
                     lower_is_better=True, target="<= 10× Kafka" if rate == 200 else None, notes=note)
        f50.met = f50.ratio <= 10 and not got.failed if rate == 200 else None
        figures += [f50, f99]
    return figures


def run(rates: list[int], seconds: float) -> list[Figure]:
    stack = BenchStack()
    try:
        stack.start_service("registry")
        stack.start_service("publicity")
        return asyncio.run(run_async(stack, rates, seconds))
    finally:
        stack.stop()
        asyncio.run(stack.forget())
