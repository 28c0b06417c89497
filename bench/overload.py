"""The write pipeline's capacity, and admission control at 2.5× it.

Commands go from vegeta (``bench.load``), not from Python: on two cores a Python client
saturates before the API does. Each command registers a new village; its latency runs from the
moment it was sent to the moment the village is in publicity's read model.

- **Capacity**, closed loop: ``CLIENTS`` workers (fewer than the API's
  ``XINGCUN_MAX_IN_FLIGHT_COMMANDS``, so none is refused) each send their next command as soon
  as the last is answered, for the run's length. The capacity is the commands whose figure was
  updated per second, from the first sent to the last in the read model (what the pipeline as a
  whole carries, not what the API alone answers; that rate is in the notes).
- **Overload**, open loop: 2.5× that capacity offered at a constant rate, with up to ``WIRE``
  requests on the wire — past the API's limit, so the excess reaches the server and must be
  refused there (503 + ``Retry-After``) rather than queued in the load generator. Goodput (the
  accepted commands in the read model per second) against the capacity, the accepted commands'
  p99 to the read model, and how fast the refusals came.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

from bench.e2e import steady
from bench.harness import Figure, step
from bench.load import offer, pct
from bench.stack import BenchStack

CLIENTS = 32
OVERLOAD = 2.5
WIRE = 96  # the API admits 64 commands in flight by default
CAPACITY_TARGET = 500  # commands/s, HTTP command → figure updated (issue: the write pipeline)


async def run_async(stack: BenchStack, seconds: float) -> list[Figure]:
    await steady(stack, 10, 2.0, serial=900_000)  # warm-up: connections, the consumer's assignment
    closed = await offer(stack, seconds, serial=100_000, rate=None, workers=CLIENTS)
    cap = closed.through_rate()
    cap_note = (f"closed loop, {CLIENTS} clients, {seconds:.0f} s: {len(closed.accepted)} accepted, "
                f"API answered {closed.answer_rate():.0f}/s, p99 to the read model "
                f"{pct(list(closed.arrivals.latencies.values()), 99) * 1000:.0f} ms, {closed.failed} failed")
    capacity = Figure("capacity, HTTP command → figure updated", cap, "commands/s",
                      target=f">= {CAPACITY_TARGET} commands/s", notes=cap_note)
    capacity.met = cap >= CAPACITY_TARGET
    offered = OVERLOAD * cap
    step(f"容量 / capacity {cap:.0f}/s; 提供 / offering {offered:.0f}/s for {seconds:.0f} s")
    over = await offer(stack, seconds, serial=300_000, rate=offered, workers=WIRE)
    ms = [x * 1000 for x in over.arrivals.latencies.values()]
    refused_ms = [a.latency * 1000 for a in over.refused]
    answer_ms = [a.latency * 1000 for a in over.accepted]
    statuses = itertools.groupby(sorted(a.status for a in over.answers if not a.accepted and not a.refused))
    by = Counter(a.refused_by or "other" for a in over.refused)
    note = (f"offered {offered:.0f}/s for {seconds:.0f} s: {len(over.accepted)} accepted, {len(over.refused)} refused "
            f"(503 + Retry-After: {by['in flight']} at the in-flight limit, {by['backlog']} by the backlog; "
            f"answered p99 {pct(refused_ms, 99):.0f} ms), {over.failed} failed "
            f"({', '.join(f'{k}: {len(list(g))}' for k, g in statuses) or 'none answered otherwise'}); "
            f"accepted HTTP answer p50 {pct(answer_ms, 50):.0f} ms, p99 {pct(answer_ms, 99):.0f} ms")
    good = Figure(f"goodput at {OVERLOAD}× capacity offered", over.through_rate(), "commands/s",
                  "capacity (closed loop)", cap, target=">= 0.9× capacity", notes=note)
    good.met = good.ratio is not None and good.ratio >= 0.9
    p99 = Figure(f"accepted commands' p99 to the read model at {OVERLOAD}× capacity", pct(ms, 99), "ms",
                 lower_is_better=True, target="<= 1000 ms", notes=note)
    p99.met = p99.value <= 1000
    return [capacity, good, p99]


def run(seconds: float) -> list[Figure]:
    # As deployed (deploy/k8s/base/config.yaml): commands wait while the figures are over a
    # second behind them (shared/http/backlog.py).
    stack = BenchStack(env={"XINGCUN_ADMISSION_MAX_BACKLOG_SECONDS": "1"})
    try:
        stack.start_service("registry")
        stack.start_service("publicity")
        return asyncio.run(run_async(stack, seconds))
    finally:
        stack.stop()
        asyncio.run(stack.forget())
