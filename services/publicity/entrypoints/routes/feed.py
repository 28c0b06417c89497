"""实时推送 / the live feed: server-sent events carrying changed figures as they change.

Each message's id is the number of the last change it covers. A client that reconnects
with ``Last-Event-ID`` (browsers do it by themselves) is sent every change after that id,
so it misses nothing; a new client first gets the current figures and the id to resume from.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Header, HTTPException, Query, Request
from sse_starlette import EventSourceResponse
from starlette.types import Receive, Scope, Send

from shared.http.errors import problem

from services.publicity.adapters.feed_hub import FeedFull, FeedHub, hub_of
from services.publicity.queries.feed import changes_after

router = APIRouter(prefix="/stats", tags=["实时推送 live feed"])
BATCH = 500
MAX_SEQ = 2**63 - 1  # change numbers are PostgreSQL bigints


def _hub(request: Request) -> FeedHub:
    return hub_of(request.app.state)


class _Admitted(EventSourceResponse):
    """The stream of an admitted client: its slot is given back however the stream ends
    (even one that never started because the client went at once)."""

    def __init__(self, *args, release, **kwargs):
        super().__init__(*args, **kwargs)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()


@router.get(
    "/feed",
    summary="实时推送（SSE）/ live feed of changed figures (server-sent events)",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "event: figures, id: 变更序号 / change number, data: JSON"},
               429: {"description": "连接数已满（总数或每客户端）/ too many feed connections, in all or from this "
                                    "client; retry after Retry-After"}},
)
async def feed(
    request: Request,
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_SEQ, description="断线续传 / resume after this change")] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ, description="同上（查询参数）/ the same, as a query parameter")] = None,
    wait: Annotated[float, Query(ge=0.1, le=60, description="无变化时心跳间隔（秒）/ idle heartbeat (s)")] = 15,
):
    hub = _hub(request)
    resume = last_event_id if last_event_id is not None else after
    client = request.client.host if request.client else "unknown"
    try:
        hub.admit(client)
    except FeedFull as exc:
        raise HTTPException(429, detail=[problem(["header", "Connection"], str(exc), "too_many_connections",
                                                 limit=exc.limit)], headers={"Retry-After": "30"}) from exc

    async def messages():
        async with hub.listening():
            if resume is None:
                now = await hub.figures()
                last = now["seq"]
                yield {"id": str(last), "event": "figures", "data": orjson.dumps(now | {"changes": []}).decode()}
            else:
                last = resume
            while not await request.is_disconnected():
                changes = hub.changes_after(last, BATCH)  # from the shared watcher's memory
                if changes is None:  # resuming from further back than memory holds
                    async with request.app.state.store.pool.acquire() as conn:
                        changes = await changes_after(conn, last, BATCH)
                if not changes:
                    await hub.wait_beyond(last, timeout=wait)
                    continue
                last = changes[-1]["seq"]
                now = await hub.figures()
                body = now | {"seq": last, "headline_seq": now["seq"], "changes": changes}
                yield {"id": str(last), "event": "figures", "data": orjson.dumps(body).decode()}

    return _Admitted(messages(), ping=15, release=lambda: hub.release(client))
