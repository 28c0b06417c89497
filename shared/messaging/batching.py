"""Batches of what a faust stream has ready, handed over without waiting for more."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from faust.types import EventT, StreamT


async def take_ready(stream: StreamT, max_: int, spacing: float = 0.0) -> AsyncIterator[list[EventT]]:
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
