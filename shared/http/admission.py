"""Admission control: beyond a number of commands in flight, or beyond what the pipeline behind
the service carries while its backlog is long (backlog.py, pace.py), answer 503 with Retry-After
at once.

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
from shared.http.outermost import install_outermost

COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AdmissionControl:
    """At most ``limit`` commands in flight in this process (0: any number), and, with a
    ``backlog``, no more than it admits (none past its limit; below it, while the pipeline is
    behind, no more than it carries in a set time); the next gets 503 and ``Retry-After``.
    Outermost of the service's middleware: a refusal reads no body and checks no token."""

    def __init__(self, app: ASGIApp, limit: int, retry_after: int = 1, backlog: Backlog | None = None):
        self.app = app
        self.limit = limit
        self.retry_after = retry_after
        self.backlog = backlog
        self.in_flight = 0
        self._busy = _answer(retry_after, f"服务繁忙，请 {retry_after} 秒后重试",
                             f"too many commands in progress, retry after {retry_after} s", limit=limit)
        self._answers: dict[tuple[float, int], tuple[tuple, bytes]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in COMMAND_METHODS:
            await self.app(scope, receive, send)
            return
        if self.limit and self.in_flight >= self.limit:
            await self._send(send, self._busy)
            return
        wait = self.backlog.admit() if self.backlog else None
        if wait is not None:
            await self._send(send, self._behind(round(self.backlog.seconds, 1), wait))
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    def _behind(self, behind: float, wait: int) -> tuple[tuple, bytes]:
        # A refusal costs as little as possible: at 2.5× capacity most requests are refused,
        # on the cores the pipeline needs. Its few distinct answers are built once.
        found = self._answers.get((behind, wait))
        if found is None:
            if len(self._answers) >= 256:
                self._answers.clear()
            found = self._answers[(behind, wait)] = _answer(
                wait, f"统计数据落后已受理的指令 {behind} 秒，请 {wait} 秒后重试",
                f"the figures are {behind} s behind the commands accepted, retry after {wait} s",
                backlog_seconds=behind)
        return found

    @staticmethod
    async def _send(send: Send, answer: tuple[tuple, bytes]) -> None:
        headers, body = answer
        # Fresh messages each time: a middleware outside may add to a message's headers.
        await send({"type": "http.response.start", "status": 503, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})


def _answer(retry_after: int, zh: str, en: str, **context) -> tuple[tuple, bytes]:
    """The headers and body of the 503 with ``Retry-After`` every refusal is (``RetryLater``), kept."""
    response = RetryLater(retry_after, zh, en, "overloaded", **context).response()
    return tuple(response.raw_headers), response.body


def install_admission(app, limit: int, retry_after: int = 1, backlog: Backlog | None = None) -> None:
    """Refuse commands beyond ``limit`` in flight (0: no limit) and beyond what ``backlog`` admits.

    Outermost, around everything the application's stack holds when it is built — Starlette's
    error handler, the user middleware and the tracing installed before this call (which wraps
    the whole stack): a refused command starts no span and reaches no other middleware. Call it
    last."""
    if limit > 0 or backlog is not None:
        install_outermost(app, AdmissionControl, limit=limit, retry_after=retry_after, backlog=backlog)
