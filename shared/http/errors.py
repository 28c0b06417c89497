"""One error shape for every service: ``{"detail": [{"loc", "msg", "type"}]}``, like FastAPI's 422."""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from aiokafka.errors import KafkaError

from shared.eventstore.errors import DomainError


def problem(loc: list[str], msg: str, kind: str, **ctx: object) -> dict:
    item = {"loc": loc, "msg": msg, "type": kind}
    if ctx:
        item["ctx"] = {k: v for k, v in ctx.items()}
    return item


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError):
        loc = ["body", *exc.field.split(".")] if exc.field else ["body"]
        kind = type(exc).__name__
        return JSONResponse(
            {"detail": [problem(loc, exc.message, kind, **{k: str(v) for k, v in exc.context.items()})]},
            status_code=exc.status_code,
        )

    # The database or broker is away for a moment. A command runs in one transaction, so it
    # either committed (a retry with its idempotency key gets the first answer) or left
    # nothing behind: the client may retry. A PostgreSQL restart shows as any of these —
    # the server's shutdown notice (57P01), refused connections, or a pooled connection
    # that broke mid-protocol (asyncpg's bare InterfaceError / InternalClientError).
    @app.exception_handler(asyncpg.PostgresConnectionError)
    @app.exception_handler(asyncpg.OperatorInterventionError)
    @app.exception_handler(asyncpg.InsufficientResourcesError)
    @app.exception_handler(asyncpg.InterfaceError)
    @app.exception_handler(asyncpg.InternalClientError)
    @app.exception_handler(ConnectionError)
    @app.exception_handler(OSError)
    @app.exception_handler(KafkaError)
    async def unavailable(_: Request, exc: Exception):
        if isinstance(exc, asyncpg.InterfaceError) and type(exc) is not asyncpg.InterfaceError:
            raise exc  # DataError and kin: a defect in how a query was called, not an outage
        return JSONResponse(
            {"detail": [problem([], f"服务暂不可用，请稍后重试 / temporarily unavailable: {type(exc).__name__}", "unavailable")]},
            status_code=503,
            headers={"Retry-After": "2"},
        )
