"""Admission control: beyond a number of commands in flight, or while the pipeline behind
the service holds more than a few seconds of accepted work, answer 503 with Retry-After at once.

Past its capacity a service that queues every command answers all of them late (measured:
at 2.5× capacity, p50 10–18 s and growing for as long as the load lasts). Refusing the
excess at the door keeps the accepted commands fast, and tells clients when to come back.
Only commands count (POST, PUT, PATCH, DELETE): reads are served from caches and cost
little, and a dashboard must stay readable while writers are turned away.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.http.backlog import Backlog
from shared.http.errors import RetryLater

COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AdmissionControl:
    """At most ``limit`` commands in flight in this process (0: any number), and none while the
    ``backlog`` is past its limit; the next gets 503 and ``Retry-After``."""

    def __init__(self, app: ASGIApp, limit: int, retry_after: int = 1, backlog: Backlog | None = None):
        self.app = app
        self.limit = limit
        self.retry_after = retry_after
        self.backlog = backlog
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in COMMAND_METHODS:
            await self.app(scope, receive, send)
            return
        if self.limit and self.in_flight >= self.limit:
            # Below FastAPI's exception handlers: the refusal is sent, not raised.
            await RetryLater(self.retry_after, f"服务繁忙，请 {self.retry_after} 秒后重试",
                             f"too many commands in progress, retry after {self.retry_after} s", "overloaded",
                             limit=self.limit).response()(scope, receive, send)
            return
        wait = self.backlog.retry_after() if self.backlog else None
        if wait is not None:
            behind = round(self.backlog.seconds, 1)
            await RetryLater(wait, f"统计数据落后已受理的指令 {behind} 秒，请 {wait} 秒后重试",
                             f"the figures are {behind} s behind the commands accepted, retry after {wait} s",
                             "overloaded", backlog_seconds=behind).response()(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def install_admission(app, limit: int, retry_after: int = 1, backlog: Backlog | None = None) -> None:
    """Refuse commands beyond ``limit`` in flight (0: no limit) and while ``backlog`` is too long."""
    if limit > 0 or backlog is not None:
        app.add_middleware(AdmissionControl, limit=limit, retry_after=retry_after, backlog=backlog)
