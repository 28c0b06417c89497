"""Work in flight weighted by its size: requests run together up to the capacity in units, the
next waits its turn in order of arrival, and past its wait is answered 503 with Retry-After."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI, HTTPException

from shared.http.errors import install_error_handlers
from shared.http.weighted import WeightedGate


async def hold(gate: WeightedGate, weight: int, release: asyncio.Event, log: list[str], name: str) -> None:
    async with gate.admit(weight):
        log.append(name)
        await release.wait()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_units_beyond_the_capacity_wait_their_turn_in_order_of_arrival():
    gate, log = WeightedGate(10, wait=5), []
    first, second = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(hold(gate, 6, first, log, "a6")),
             asyncio.create_task(hold(gate, 4, second, log, "b4"))]
    await settle()
    assert log == ["a6", "b4"] and gate.in_flight == 10
    heavy = asyncio.create_task(hold(gate, 8, asyncio.Event(), log, "c8"))
    light = asyncio.create_task(hold(gate, 1, second, log, "d1"))
    await settle()
    assert log == ["a6", "b4"]  # c8 waits, and d1 does not pass it though one unit would fit soon
    second.set()  # b4 (and later d1) may finish
    await settle()
    assert log == ["a6", "b4"] and gate.in_flight == 6  # c8 still needs 8
    first.set()
    await settle()
    assert log == ["a6", "b4", "c8", "d1"] and gate.in_flight == 8  # d1 ran and finished behind c8
    heavy.cancel()
    await asyncio.gather(*tasks, light, heavy, return_exceptions=True)
    assert gate.in_flight == 0


async def test_past_its_wait_a_request_is_refused_and_holds_nothing():
    gate, release = WeightedGate(10, wait=0.05, retry_after=3), asyncio.Event()
    held = asyncio.create_task(hold(gate, 10, release, [], "full"))
    await settle()
    with pytest.raises(HTTPException) as refused:
        async with gate.admit(1):
            pytest.fail("admitted beyond the capacity")
    assert refused.value.status_code == 503 and refused.value.headers == {"Retry-After": "3"}
    [item] = refused.value.detail
    assert item["type"] == "overloaded" and "retry after 3 s" in item["msg"] and "请" in item["msg"]
    release.set()
    await held
    assert gate.in_flight == 0
    async with gate.admit(10):
        assert gate.in_flight == 10


async def test_a_waiter_that_goes_away_lets_the_next_in():
    gate, release = WeightedGate(10, wait=5), asyncio.Event()
    held = asyncio.create_task(hold(gate, 5, release, [], "five"))
    await settle()
    log: list[str] = []
    gone = asyncio.create_task(hold(gate, 9, asyncio.Event(), log, "nine"))  # the head of the queue
    behind = asyncio.create_task(hold(gate, 5, asyncio.Event(), log, "five more"))
    await settle()
    assert log == []
    gone.cancel()  # the client closed the connection while it waited
    await settle()
    assert log == ["five more"] and gate.in_flight == 10
    behind.cancel()
    release.set()
    await asyncio.gather(held, gone, behind, return_exceptions=True)
    assert gate.in_flight == 0


async def test_a_request_heavier_than_the_capacity_runs_alone():
    gate, release, log = WeightedGate(10, wait=5), asyncio.Event(), []
    big = asyncio.create_task(hold(gate, 2000, release, log, "big"))
    small = asyncio.create_task(hold(gate, 1, asyncio.Event(), log, "small"))
    await settle()
    assert log == ["big"] and gate.in_flight == 10
    release.set()
    await big
    await settle()
    assert log == ["big", "small"]
    small.cancel()
    await asyncio.gather(small, return_exceptions=True)


async def test_the_refusal_reaches_the_client_as_503_with_retry_after():
    gate, release = WeightedGate(3, wait=0.05, retry_after=2), asyncio.Event()
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/sheet")
    async def sheet(entries: list[int]) -> dict:
        async with gate.admit(len(entries)):
            await release.wait()
            return {"logged": len(entries)}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        first = asyncio.create_task(c.post("/sheet", json=[1, 2]))
        await asyncio.sleep(0.02)
        refused = await c.post("/sheet", json=[1, 2])
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
        assert refused.json()["detail"][0]["type"] == "overloaded"
        release.set()
        assert (await first).json() == {"logged": 2}
        assert (await c.post("/sheet", json=[1, 2, 3])).status_code == 200
