"""Admission control under overload: 2.5× the capacity offered, beside the capacity itself.

The capacity is measured first, closed loop: ``CLIENTS`` clients (fewer than the API's
``XINGCUN_MAX_IN_FLIGHT_COMMANDS``, so none is refused) each send their next command as soon
as the last is answered, for the run's length; commands answered per second is the capacity.
Then the same commands are offered open loop at 2.5× that rate with up to ``WIRE`` requests on
the wire — four times the API's limit, so the excess reaches the server and must be refused
there (503 + ``Retry-After``) rather than queued in the load generator. Reported: goodput (the
commands accepted per second) against the capacity, the accepted commands' p99 to the read
model and of their HTTP answers, and how fast the refusals came.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from bench.e2e import pct, steady, village_body
from bench.harness import Figure, step
from bench.stack import BenchStack
from shared.http.auth import Principal, Role, issue_token

CLIENTS = 32
OVERLOAD = 2.5
# Requests on the wire at most: past the API's limit (64 by default) so that the excess is refused
# by the server, but not far past it — httpx's pool costs the load generator more per connection.
WIRE = 96


async def capacity(stack: BenchStack, seconds: float, serial: int) -> float:
    """Commands answered per second by ``CLIENTS`` closed-loop clients."""
    token = issue_token(stack.settings, Principal(subject="bench", role=Role.city_office))
    answered = 0
    ends = time.perf_counter() + seconds

    async def client_loop(client: httpx.AsyncClient, n: int) -> None:
        nonlocal answered
        i = 0
        while time.perf_counter() < ends:
            code = f"120119{(serial + n * 10_000 + i) % 1_000_000:06d}"
            i += 1
            r = await client.post("/villages", json=village_body(code), headers={"Idempotency-Key": f"cap-{code}"})
            answered += r.status_code in (200, 201)

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=stack.url("registry"), timeout=30,
                                 headers={"Authorization": f"Bearer {token}"},
                                 limits=httpx.Limits(max_connections=CLIENTS)) as client:
        await asyncio.gather(*(client_loop(client, n) for n in range(CLIENTS)))
    return answered / (time.perf_counter() - started)


async def run_async(stack: BenchStack, seconds: float) -> list[Figure]:
    await steady(stack, 10, 2.0, serial=900_000)  # warm-up: connections, the consumer's assignment
    cap = await capacity(stack, seconds, serial=100_000)
    offered = OVERLOAD * cap
    step(f"容量 / capacity {cap:.0f}/s; 提供 / offering {offered:.0f}/s for {seconds:.0f} s")
    refused: list[float] = []
    latencies, answers, achieved, failures = await steady(
        stack, offered, seconds, serial=300_000, in_flight_max=WIRE,
        refused=refused)
    goodput = achieved  # accepted commands over the time from the first offered to the last answered
    ms, answer_ms, refused_ms = ([x * 1000 for x in xs] for xs in (latencies, answers, refused))
    note = (f"offered {offered:.0f}/s for {seconds:.0f} s: {len(answers)} accepted, {len(refused)} refused (503, "
            f"answered p99 {pct(refused_ms, 99):.0f} ms), {failures} failed; accepted HTTP answer p99 "
            f"{pct(answer_ms, 99):.0f} ms")
    good = Figure(f"goodput at {OVERLOAD}× capacity offered", goodput, "commands/s", "capacity (closed loop)", cap,
                  target=">= 0.9× capacity", notes=note)
    good.met = good.ratio >= 0.9
    p99 = Figure(f"accepted commands' p99 to the read model at {OVERLOAD}× capacity", pct(ms, 99), "ms",
                 lower_is_better=True, target="<= 1000 ms", notes=note)
    p99.met = p99.value <= 1000
    return [good, p99]


def run(seconds: float) -> list[Figure]:
    stack = BenchStack()
    try:
        stack.start_service("registry")
        stack.start_service("publicity")
        return asyncio.run(run_async(stack, seconds))
    finally:
        stack.stop()
        asyncio.run(stack.drop_databases())
