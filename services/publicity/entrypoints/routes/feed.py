"""实时推送 / the live feed: server-sent events carrying changed figures as they change.

Each message's id is the number of the last change it covers. A client that reconnects
with ``Last-Event-ID`` (browsers do it by themselves) is sent every change after that id,
so it misses nothing; a new client first gets the current figures and the id to resume from.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse

from shared.http.bodies import EVENTS
from shared.http.sse_hub import Resume

from services.publicity.adapters.feed_hub import hub_of
from services.publicity.entrypoints.reader import public_rule

router = APIRouter(prefix="/stats", tags=["实时推送 live feed"])


@router.get(
    "/feed",
    summary="实时推送（SSE）/ live feed of changed figures (server-sent events)",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": EVENTS},
                     "description": "event: figures, id: 变更序号 / change number, data: JSON"},
               429: {"description": "连接数已满（总数或每客户端）/ too many feed connections, in all or from this "
                                    "client; retry after Retry-After"}},
)
async def feed(
    request: Request,
    resume: Resume,
    wait: Annotated[float, Query(ge=0.1, le=60, description="无变化时心跳间隔（秒）/ idle heartbeat (s)")] = 15,
):
    hub = hub_of(request.app.state)
    # The feed is the public's: its headline and changes as disclosure control allows, for everyone.
    rule = public_rule()

    async def greet():
        now = rule.fields(await hub.figures())
        hello = {"id": str(now["seq"]), "event": "figures", "data": orjson.dumps(now | {"changes": []}).decode()}
        return now["seq"], hello

    async def render(changes):
        last = changes[-1]["seq"]
        now = rule.fields(await hub.figures())
        body = now | {"seq": last, "headline_seq": now["seq"], "changes": [rule.feed_change(c) for c in changes]}
        yield {"id": str(last), "event": "figures", "data": orjson.dumps(body).decode()}

    return hub.stream(request, hub.messages(request, resume, greet, render, heartbeat=wait), ping=15)
