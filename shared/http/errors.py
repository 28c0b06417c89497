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

    # The database or broker is away for a moment: nothing was written, the client may retry.
    @app.exception_handler(asyncpg.PostgresConnectionError)
    @app.exception_handler(asyncpg.CannotConnectNowError)
    @app.exception_handler(ConnectionError)
    @app.exception_handler(OSError)
    @app.exception_handler(KafkaError)
    async def unavailable(_: Request, exc: Exception):
        return JSONResponse(
            {"detail": [problem([], f"服务暂不可用，请稍后重试 / temporarily unavailable: {type(exc).__name__}", "unavailable")]},
            status_code=503,
            headers={"Retry-After": "2"},
        )
