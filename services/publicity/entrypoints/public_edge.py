"""The way in from outside is read-only: requests for the public host get public reads alone.

The ingress (deploy/k8s/base/ingress.yaml) routes only publicity's public prefixes, over TLS,
and always with the public host name (``XINGCUN_PUBLIC_HOST``). An Ingress cannot tell a GET
from a POST on the same path, so the writes under ``/reports`` and ``/images``, the editorial
queue and the operations pages are refused here for that host, before any route runs: a 404
in the usual error shape, as if they did not exist. Officials write from inside (the service's
own name); nothing of this applies when the setting is unset (the local stack, compose).
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.config import get_settings
from shared.http.errors import problem

READS = frozenset({"GET", "HEAD"})
PUBLIC_PREFIXES = ("/stats", "/notices", "/reports", "/open-data", "/dashboard", "/images")
INSIDE_ONLY = ("/reports/editorial", "/stats/lag")


def public_path(method: str, path: str) -> bool:
    """What the public host may ask for: reads of the public prefixes, never the editorial
    queue nor the projection lag."""
    path = "/" + path.strip("/")
    if method not in READS or any(path == p or path.startswith(p + "/") for p in INSIDE_ONLY):
        return False
    return any(path == p or path.startswith(p + "/") for p in PUBLIC_PREFIXES)


class PublicEdge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        public_host = get_settings().public_host
        if scope["type"] == "http" and public_host:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").rsplit(":", 1)[0].lower()
            if host == public_host.lower() and not public_path(scope["method"], scope["path"]):
                body = {"detail": [problem(["path"], "无此路径 / not found", "not_found")]}
                await JSONResponse(body, status_code=404)(scope, receive, send)
                return
        await self.app(scope, receive, send)
