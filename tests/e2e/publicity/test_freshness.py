"""Freshness: every event committed in any service under a steady load shows in the
statistics (the latencies are printed; the p99 target is checked by `make bench`, not by a
timed test); the lag is visible while the projection is stopped."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from shared.contracts import assessment as A
from shared.contracts import funding as F
from shared.db import create_pool
from shared.eventstore import CommandMeta, EventStore

from tests.e2e.publicity.support import append, get, wait_until
from tests.integration.publicity.scenario import Step, at
from tests.support.villages import village_body

pytestmark = pytest.mark.e2e
EVENTS, RATE = 150, 30.0  # 5 seconds at 30 events a second, across three services


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def test_every_event_under_load_becomes_visible(stack, settings, token):
    year = random.randrange(2100, 2900)
    district = "120112"
    pub = stack.url("publicity")
    probes = {
        "registry": (f"{pub}/stats/figures/villages_registered", {"district": district}),
        "funding": (f"{pub}/stats/figures/appropriated", {"dim": f"year:{year}"}),
        "assessment": (f"{pub}/stats/figures/income_reports", {"dim": f"year:{year}"}),
    }
    async with httpx.AsyncClient(timeout=10) as client:
        async def value(kind: str) -> int:
            url, params = probes[kind]
            v = (await client.get(url, params=params)).json()["value"]
            return int(float(v)) if kind != "funding" else int(float(v) / 100)  # one funding event = 100 yuan

        base = {k: await value(k) for k in probes}
        stores = {s: EventStore(await create_pool(settings.dsn(s), max_size=4), s) for s in ("funding", "assessment")}
        committed: dict[str, list[float]] = {k: [] for k in probes}
        latencies: list[float] = []
        seen = dict.fromkeys(probes, 0)

        async def commit(i: int) -> None:
            kind = ("registry", "funding", "assessment")[i % 3]
            if kind == "registry":
                r = await client.post(stack.url("registry") + "/villages", json=village_body(district), headers=token())
                assert r.status_code == 201, r.text
            else:
                event = (F.BudgetAppropriated(line_id=f"fresh-{year}-{i}", source="other", fiscal_year=year,
                                              scope=district, title="负载", amount_fen=100_00)
                         if kind == "funding" else
                         A.CollectiveIncomeReported(village_code=f"{district}{year:03d}{i:03d}", district=district,
                                                    year=year, income_fen=1))
                store = stores[kind]
                async with store.pool.acquire() as conn, conn.transaction():
                    await store.append(conn, f"fresh-{year}-{i}", 0, [event], CommandMeta(actor="test:load"))
            committed[kind].append(time.monotonic())

        async def write() -> None:
            start = time.monotonic()
            for i in range(EVENTS):
                await asyncio.sleep(max(0.0, start + i / RATE - time.monotonic()))
                await commit(i)

        async def watch() -> None:
            deadline = time.monotonic() + EVENTS / RATE + 30
            while time.monotonic() < deadline and sum(seen.values()) < EVENTS:
                for kind in probes:
                    count = await value(kind) - base[kind]
                    now = time.monotonic()
                    for k in range(seen[kind], min(count, len(committed[kind]))):
                        latencies.append(now - committed[kind][k])
                    seen[kind] = max(seen[kind], min(count, len(committed[kind])))
                await asyncio.sleep(0.02)  # the watcher should not be the load it measures

        try:
            # Warm up every path (consumer groups joined, connections open) before measuring.
            for i in range(EVENTS, EVENTS + 3):
                await commit(i)
            deadline = time.monotonic() + 60
            while any([await value(k) - base[k] < 1 for k in probes]) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            base = {k: await value(k) for k in probes}
            committed = {k: [] for k in probes}
            await asyncio.gather(write(), watch())
        finally:
            for store in stores.values():
                await store.pool.close()
    assert len(latencies) == EVENTS, (seen, len(latencies))
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"\n{EVENTS} events at {RATE:.0f}/s: commit → visible p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms / 统计可见延迟")


async def test_lag_shows_while_the_projection_is_stopped(stack, settings):
    stack.kill("publicity-worker")
    try:
        await append(settings, [Step("funding", f"lag-{random.randrange(10**9)}-{i}", at("2023-05-01"),
                                     F.BudgetAppropriated(line_id=f"lag-{i}", source="other", fiscal_year=2023,
                                                          scope="city", title="延迟", amount_fen=1))
                                for i in range(5)])

        def behind():
            stats = next(p for p in get(stack, "/stats/lag")["projections"] if p["projection"] == "statistics")
            return stats["events_behind"] >= 5 and stats["seconds_behind"] > 0 and stats
        wait_until(behind, timeout=30, what="lag to show")
    finally:
        stack.start_worker("publicity")

    def caught_up():
        stats = next(p for p in get(stack, "/stats/lag")["projections"] if p["projection"] == "statistics")
        return stats["events_behind"] == 0 and stats["seconds_behind"] == 0 and stats
    wait_until(caught_up, timeout=90, what="the projection to catch up")
