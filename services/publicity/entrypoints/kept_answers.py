"""Kept answers sent before routing: a statistics GET whose answer is kept for the current
state of the read model is answered here, without FastAPI's routing, dependencies and
parameter validation, which cost several times what sending the kept bytes does.

The answer, its headers and status are those the route sends through ``cached``
(``routes/caching.py: kept_response``, which says why the route is not needed); anything
else — nothing kept, another state, an error — goes on to the route as before. Innermost
of the middlewares, so every one of them (the public edge, the NUL refusal…) still sees
every request.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from services.publicity.entrypoints.routes.caching import kept_response


class KeptAnswers:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            response = await kept_response(Request(scope, receive))
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
