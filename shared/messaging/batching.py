"""Batches of what a faust stream has ready, handed over without waiting for more."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from faust.types import EventT, StreamT

# How long records a projection would only pass over are held for company while more keep
# coming: their offsets are then noted about as often as faust commits the group's offsets
# (broker_commit_interval), and a day close waiting for them waits at most this much longer.
PASSED_OVER_HOLD = 0.25


async def take_ready(stream: StreamT, max_: int, spacing: float = 0.0,
                     passed_over: Callable[[EventT], bool] | None = None) -> AsyncIterator[list[EventT]]:
    """Yield the stream's buffered events as soon as the agent is free to take them.

    faust's ``take_events(n, within)`` hands a batch over only when it is full or when its
    timer ticks, so at everyday rates every record waited for company — half the window on
    average, and most of an event's way from command to read model. Here the first record
    wakes the agent: while a batch is being applied the next one gathers, so a batch is one
    record when they trickle in and grows to ``max_`` when the agent falls behind. A batch
    starts no sooner than ``spacing`` seconds after the one before, so that under a steady
    stream each batch carries several records (a transaction per record costs the workers
    more CPU than two cores have to spare under load). Events are acked after the agent has
    processed their batch, as ``take_events`` does; nothing ticks while the stream is idle.

    ``passed_over`` tells a record the agent would do nothing with but note its offset (an
    event type its projection does not handle). A batch of only such records is not handed
    over while more keep coming: it is held while each ``spacing`` brings more, up to
    ``PASSED_OVER_HOLD`` seconds or ``max_`` records, and handed over as soon as a record
    that may count arrives, when a spacing passes with nothing new (the end of a burst), or
    when the stream stops. Its offsets are then noted by one statement instead of one per
    batch, and its records are acked, as every batch's, only after that.

    Built on the same stream hooks as ``take_events`` (a processor fills the buffer while
    the stream is drained passively); faust-streaming is pinned, and the worker tests run
    every projection through it.
    """
    events: list[EventT] = []
    ready = asyncio.Event()
    consumed = asyncio.Event()
    consuming: asyncio.Future | None = None

    async def add_to_buffer(value):
        nonlocal consuming
        if consuming is not None:  # the agent is applying the previous batch: hold this one
            try:
                await consuming
            finally:
                consuming = None
        event = stream.current_event
        if event is None:
            raise RuntimeError("take_ready found no current event")
        events.append(event)
        ready.set()
        if len(events) >= max_:  # never more than max_ at once: wait until it is taken
            consumed.clear()
            await stream.wait(consumed)
        return value

    acks, stream.enable_acks = stream.enable_acks, False  # acked here, after the batch
    stream.add_processor(add_to_buffer)
    stream._enable_passive(aiter(stream.channel))  # noqa: SLF001 - the hook take_events uses
    try:
        loop = asyncio.get_running_loop()
        last = -spacing
        while not stream.should_stop:
            await stream.wait_for_stopped(ready)
            if not events:
                continue
            if (pause := last + spacing - loop.time()) > 0:  # the one before was moments ago: gather more
                await asyncio.sleep(pause)
            if passed_over is not None:
                await hold_passed_over(stream, events, passed_over, max_, spacing)
            last = loop.time()
            consuming = loop.create_future()
            try:
                yield list(events)
            finally:
                taken = list(events)
                events.clear()
                ready.clear()
                for event in taken:
                    await stream.ack(event)
                if not consuming.done():
                    consuming.set_result(None)
                consumed.set()
    finally:
        stream.enable_acks = acks
        stream._processors.remove(add_to_buffer)  # noqa: SLF001


async def hold_passed_over(stream: StreamT, events: list[EventT], passed_over: Callable[[EventT], bool],
                           max_: int, spacing: float) -> None:
    """Return once ``events`` holds a record that may count, or the hold is over (see ``take_ready``)."""
    loop = asyncio.get_running_loop()
    until = loop.time() + PASSED_OVER_HOLD
    seen = 0
    while len(events) < max_ and not stream.should_stop:
        if not all(passed_over(event) for event in events[seen:]):
            return
        seen = len(events)
        if (left := until - loop.time()) <= 0:
            return
        await asyncio.sleep(min(spacing, left))
        if len(events) == seen:  # nothing more came: the burst is over
            return
