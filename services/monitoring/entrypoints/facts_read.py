"""A business day is closed only once the watch has read the facts recorded before the close:
judged earlier, the day raises what those facts would have cleared (an allocation idle
though drawn on, its request still on the topic). The topics' ends are taken once, when the
close arrives: under steady load "nothing left to read" may never hold, a fixed end is
reached. Not reached within ``day_close_wait_seconds``: 503 with Retry-After, nothing closed."""

from __future__ import annotations

import asyncio
import math
from typing import Annotated

from fastapi import Depends, Request

from shared.eventstore.errors import DomainError
from shared.messaging.end_offsets import EndOffsets

from services.monitoring.adapters.watch_reach import FACT_SOURCES, unread

POLL_SECONDS = 0.1


class FactsUnread(DomainError):
    status_code = 503


async def facts_read(request: Request) -> None:
    state = request.app.state
    settings = state.settings
    if getattr(state, "end_offsets", None) is None:  # the same reader as /metrics'
        state.end_offsets = EndOffsets(settings)
    ends = await state.end_offsets.of([settings.topic(s) for s in FACT_SOURCES])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.day_close_wait_seconds
    while True:
        async with state.store.pool.acquire() as conn:
            behind = await unread(conn, ends)
        if not behind:
            return
        if loop.time() >= deadline:
            wait = max(1, math.ceil(settings.day_close_wait_seconds))
            raise FactsUnread(
                f"监测尚未读完结束前已记录的事实（还差 {behind} 条），未结束任何业务日，请 {wait} 秒后重试 / "
                f"monitoring has not yet read the facts recorded before the close ({behind} behind): "
                f"no business day closed, retry after {wait} s",
                retry_after=wait, unread=behind)
        await asyncio.sleep(POLL_SECONDS)


FactsRead = Annotated[None, Depends(facts_read)]
