"""预警推送 / the alert stream: server-sent events, one per alert event the caller may see.

Each message's id is the alert event's global position in monitoring's store. A client that
reconnects with ``Last-Event-ID`` (browsers do it by themselves) gets every event after it
that is in its scope, none twice; a new client is first sent ``event: ready`` with the
position it starts from, then what happens from now on. Comments
(``: ping``) keep idle connections alive through proxies. One watcher per process reads the
log for every client (``shared/http/sse_hub.py``); connections are capped.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse

from shared.config import get_settings
from shared.http.bodies import EVENTS
from shared.http.sse_hub import LogHub, Resume

from services.monitoring.adapters import alert_log
from services.monitoring.adapters.webhooks import message
from services.monitoring.entrypoints.deps import Scope

router = APIRouter(prefix="/alerts", tags=["预警推送 alert stream"])


def hub_of(state) -> LogHub:
    """The process's hub, made on first use (``state`` is the app's ``state``)."""
    hub = getattr(state, "alert_hub", None)
    if hub is None:
        settings = get_settings()
        hub = state.alert_hub = LogHub(state.store.pool, alert_log.read_after, alert_log.last_position,
                                       max_connections=settings.feed_max_connections,
                                       max_per_client=settings.feed_max_per_client)
    return hub


@router.get(
    "/stream",
    summary="预警实时推送（SSE）/ live alert events in the caller's scope (server-sent events)",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": EVENTS},
                     "description": "event: ready (a new client: its starting position) | AlertRaised | "
                                    "AlertEscalated | AlertAcknowledged | AlertResolved; "
                                    "id: 位置 / the event's position; data: JSON"},
               429: {"description": "连接数已满（总数或每客户端）/ too many stream connections, in all or from this "
                                    "client; retry after Retry-After"}},
)
async def stream(
    request: Request,
    scope: Scope,
    resume: Resume,
    heartbeat: Annotated[float, Query(ge=0.1, le=60, description="心跳间隔（秒）/ heartbeat comment interval (s)")] = 15,
):
    hub = hub_of(request.app.state)

    async def greet():
        # A new client is told where it stands at once: the position to resume from
        # (as its id, so a browser resumes from it) even before any alert comes.
        last = await hub.started()
        return last, {"id": str(last), "event": "ready", "data": orjson.dumps({"position": last}).decode()}

    async def render(entries):
        for entry in entries:
            if scope.sees(entry["district"], entry["village_code"], entry["team_id"]):
                yield {"id": str(entry["position"]), "event": entry["type"],
                       "data": orjson.dumps(message(entry)).decode()}

    return hub.stream(request, hub.messages(request, resume, greet, render, heartbeat=heartbeat), ping=heartbeat)
