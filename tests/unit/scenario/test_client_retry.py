"""The driver's retries (scenario/drive/client.py): after a 503 with Retry-After it waits what
the server asked (a little more, never less), cut to what is left of its retry budget; without
the header (or with the date form), a short growing pause as before. The answers come from an
aiohttp server on the loopback (the driver is an aiohttp client); the pauses are recorded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestServer

from scenario.drive.client import Api


@asynccontextmanager
async def answering(answers: list[tuple[int, dict[str, str]]]) -> AsyncIterator[tuple[str, list[int]]]:
    """A server giving ``answers`` (status, headers) in order, the last one from then on."""
    seen: list[int] = []

    async def handle(_: web.Request) -> web.Response:
        status, headers = answers[min(len(seen), len(answers) - 1)]
        seen.append(status)
        return web.json_response({"ok": status < 300}, status=status, headers=headers)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")), seen
    finally:
        await server.close()


def driver(url: str, *, budget: float = 180.0, really_sleep: bool = False) -> tuple[Api, list[float]]:
    api = Api(None, {"svc": url}, seed=1, transient_timeout=budget)  # no token is asked for
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(seconds if really_sleep else 0)

    api._sleep = sleep
    return api, slept


async def test_a_command_refused_with_retry_after_waits_that_long_then_goes_through():
    async with answering([(503, {"Retry-After": "7"}), (503, {"Retry-After": "2"}), (201, {})]) as (url, seen):
        api, slept = driver(url)
        async with api:
            answer = await api.command("stage", "svc", "/things", {"n": 1}, who={}, key="k-1")
    assert answer == {"ok": True} and seen == [503, 503, 201]
    assert len(slept) == 2 and 7 <= slept[0] <= 7.7 and 2 <= slept[1] <= 2.2


async def test_a_read_refused_with_retry_after_waits_that_long_too():
    async with answering([(503, {"Retry-After": "5"}), (200, {})]) as (url, seen):
        api, slept = driver(url)
        async with api:
            assert await api.get("svc", "/things") == {"ok": True}
    assert seen == [503, 200] and len(slept) == 1 and 5 <= slept[0] <= 5.5


async def test_without_a_delay_in_seconds_the_pause_is_the_short_growing_one():
    date_form = {"Retry-After": "Fri, 04 Dec 2026 20:00:00 GMT"}
    async with answering([(503, {}), (502, date_form), (503, {}), (201, {})]) as (url, seen):
        api, slept = driver(url)
        async with api:
            assert await api.command("stage", "svc", "/things", {"n": 1}, who={}, key="k-2") == {"ok": True}
    assert seen == [503, 502, 503, 201] and len(slept) == 3
    assert all(0 < s < 1.0 for s in slept)  # 0.05 s × 2^attempt, jittered: far below any Retry-After here


async def test_a_wait_beyond_the_retry_budget_is_cut_to_what_is_left_of_it():
    async with answering([(503, {"Retry-After": "30"})]) as (url, seen):
        api, slept = driver(url, budget=0.5, really_sleep=True)
        started = time.monotonic()
        async with api:
            assert await api.command("stage", "svc", "/things", {"n": 1}, who={}, key="k-3") is None
    assert time.monotonic() - started < 5
    assert slept and all(s <= 0.5 for s in slept) and len(seen) == len(slept) + 1
    [failure] = api.tally.failures
    assert failure.status == 503
