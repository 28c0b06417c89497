"""The answer cache's own logic: single flight, bounds, states, and the coalesced state read."""

from __future__ import annotations

import asyncio

import pytest

from services.publicity.adapters.answer_cache import AnswerCache, Coalesced


def observing(state: str) -> AnswerCache:
    cache = AnswerCache()
    cache.observe(state)
    return cache


async def test_concurrent_askers_of_one_key_cause_one_fill():
    cache, calls = observing("s1"), []

    async def fill():
        calls.append(1)
        await asyncio.sleep(0.05)
        return "s1", {"figure": 42}, 10

    got = await asyncio.gather(*(cache.get_or_fill("s1", ("headline",), fill) for _ in range(50)))
    assert got == [{"figure": 42}] * 50
    assert len(calls) == 1 and cache.fills == 1
    assert await cache.get_or_fill("s1", ("headline",), fill) == {"figure": 42}
    assert len(calls) == 1  # kept


async def test_a_new_state_drops_the_old_answers():
    cache = observing("s1")

    async def fill(state, value):
        return state, value, 10

    assert await cache.get_or_fill("s1", "k", lambda: fill("s1", 1)) == 1
    cache.observe("s2")
    assert cache.get("s1", "k") is None and len(cache) == 0
    assert await cache.get_or_fill("s2", "k", lambda: fill("s2", 2)) == 2


async def test_an_answer_of_a_state_not_observed_or_not_sized_is_not_kept():
    cache = observing("s1")

    async def newer():
        return "s2", "from s2", 10

    async def unkept():
        return "s1", "once", None

    assert await cache.get_or_fill("s1", "k", newer) == "from s2"
    assert await cache.get_or_fill("s1", "k2", unkept) == "once"
    assert len(cache) == 0


async def test_bounded_by_entries_and_bytes():
    cache = AnswerCache(max_entries=3, max_bytes=1000)
    cache.observe("s")
    for i in range(5):
        await cache.get_or_fill("s", i, lambda i=i: _value("s", i, 100))
    assert len(cache) == 3 and cache.get("s", 0) is None and cache.get("s", 4) == 4
    await cache.get_or_fill("s", "big", lambda: _value("s", "big", 400))  # > a quarter: served, not kept
    assert cache.get("s", "big") is None


async def _value(state, value, size):
    return state, value, size


async def test_an_error_reaches_every_waiter_and_is_not_kept():
    cache, calls = observing("s"), []

    async def broken():
        calls.append(1)
        await asyncio.sleep(0.01)
        raise LookupError("no village")

    results = await asyncio.gather(*(cache.get_or_fill("s", "k", broken) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, LookupError) for r in results) and len(calls) == 1
    with pytest.raises(LookupError):
        await cache.get_or_fill("s", "k", broken)
    assert len(calls) == 2


async def test_a_waiter_that_goes_away_does_not_cancel_the_fill():
    cache = observing("s")
    started = asyncio.Event()

    async def slow():
        started.set()
        await asyncio.sleep(0.05)
        return "s", "done", 1

    first = asyncio.ensure_future(cache.get_or_fill("s", "k", slow))
    await started.wait()
    first.cancel()
    assert await cache.get_or_fill("s", "k", slow) == "done"


async def test_coalesced_reads_share_a_run_that_started_after_they_asked():
    state = {"value": 0}
    runs = []
    gate = asyncio.Event()

    async def read():
        seen = state["value"]  # what the run reads is the state when it starts
        runs.append(seen)
        await gate.wait()
        return seen

    coalesced = Coalesced(read)
    first = [asyncio.ensure_future(coalesced()) for _ in range(10)]
    await asyncio.sleep(0)  # the first run starts, with the value 0
    await asyncio.sleep(0)
    state["value"] = 1  # changes after the first run began: later askers must see it
    later = [asyncio.ensure_future(coalesced()) for _ in range(10)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*first) == [0] * 10
    assert await asyncio.gather(*later) == [1] * 10
    assert runs == [0, 1]  # one run for the first ten, one (started after they asked) for the later ten
