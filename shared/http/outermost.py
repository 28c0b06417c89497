"""Middleware around an application's whole stack, as built when it serves its first request.

``app.add_middleware`` puts a middleware inside Starlette's error handler and inside the
tracing that ``FastAPIInstrumentor`` wraps around the stack; what must run before either — a
refusal that should cost nothing (admission.py), a host that may see only some paths
(publicity's public edge) — is installed with this, after the tracing. Each call wraps the
previous ones: the last installed runs first."""

from __future__ import annotations

from starlette.types import ASGIApp


def install_outermost(app, middleware, **options) -> None:
    build = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        return middleware(build(), **options)

    app.build_middleware_stack = build_middleware_stack
    app.middleware_stack = None  # built again, with it, on the first request
