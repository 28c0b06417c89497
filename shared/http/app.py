"""The FastAPI application every service builds the same way."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import asyncpg
import structlog
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from shared.config import Settings, get_settings
from shared.db import create_pool
from shared.eventstore import EventStore
from shared.http.admission import install_admission
from shared.http.auth import check_token_keys
from shared.http.backlog import Backlog
from shared.http.commands import document_command_headers
from shared.http.errors import document_errors, install_error_handlers
from shared.http.limits import install_limits
from shared.migrations import Chain, SchemaBehind, check_current, no_database
from shared.outbox.wakeup import CommitSignal
from shared.projections import Projection
from shared.tracing import setup_tracing

Startup = Callable[[FastAPI], Awaitable[None]]
_NO_TELEMETRY = {"tracing": False, "metrics": False, "logs": False}
log = structlog.get_logger("xingcun.api")


class Health(BaseModel):
    status: str = Field(description="状态 / ok once the database answers")
    service: str = Field(description="服务 / the service's name")
    log_position: int = Field(description="已排序的日志位置 / the log's last sequenced position")
    published_position: int = Field(description="已发布到 Kafka 的位置 / the last position published to Kafka")


def create_service_app(
    service: str,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    migrations: Chain,
    read_models: Sequence[Projection] = (),
    on_startup: Startup | None = None,
    settings: Settings | None = None,
    inner_middleware: Sequence[type] = (),
) -> FastAPI:
    """``inner_middleware``: the service's own ASGI middlewares, run after every shared one
    (the first listed outermost), right before the routes."""
    settings = settings or get_settings()
    check_token_keys(settings)  # production without a key: refuse to start, invent nothing
    setup_tracing(f"{service}-api", settings)
    backlog = (Backlog(service, settings, settings.admission_max_backlog_seconds)
               if settings.admission_max_backlog_seconds else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The service runs as the application role and never migrates (`xingcun db migrate`
        # does, as the owner): on a database behind its code it refuses to start.
        try:
            pool = await create_pool(settings.app_dsn(service), max_size=20)
        except asyncpg.InvalidCatalogNameError:
            exc = no_database(service, settings.db_prefix + service)
            log.error("schema_behind", service=service, error=str(exc))
            raise exc from None
        try:
            async with pool.acquire() as conn:
                await check_current(conn, migrations)
        except SchemaBehind as exc:
            log.error("schema_behind", service=service, error=str(exc))
            await pool.close()
            raise
        commits = CommitSignal(pool)
        commits.start()
        app.state.store = EventStore(pool, service, on_commit=commits.poke)
        app.state.settings = settings
        if on_startup:
            await on_startup(app)
        # What is loaded by now lives as long as the process: keep it out of the cycle
        # collector's full passes (measured: the first bulk import paid ~0.3 s for one).
        gc.freeze()
        if backlog:
            backlog.start(settings.app_dsn(service))
        yield
        if backlog:
            await backlog.stop()
        await commits.stop()
        await pool.close()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's own telemetry asks OpenTelemetry for three providers on every request
        # to find none installed (≈ 5 µs a request); with the exporter off none ever is.
        telemetry=_NO_TELEMETRY if settings.otel_exporter == "none" else None,
    )
    install_error_handlers(app)
    for middleware in reversed(inner_middleware):  # each added one runs before those added earlier
        app.add_middleware(middleware)
    install_limits(app, settings.max_body_bytes)

    # Liveness: the process answers. No database here, so a PostgreSQL failover makes pods
    # unready (/healthz) but never restarts them. Kept out of the API document like a probe.
    @app.get("/livez", include_in_schema=False)
    async def livez() -> dict:
        return {"status": "ok", "service": service}

    @app.get("/healthz", tags=["运维 operations"], summary="健康检查 / health", response_model=Health)
    async def healthz(request: Request) -> dict:
        store: EventStore = request.app.state.store
        async with store.pool.acquire() as conn:
            relay = await conn.fetchrow("select last_position, published_position from es.relay_state")
        return {
            "status": "ok",
            "service": service,
            "log_position": relay["last_position"],
            "published_position": relay["published_position"],
        }

    for router in routers:
        app.include_router(router)
    if not any(getattr(route, "path", None) == "/metrics" for router in routers for route in router.routes):
        from shared.http.metrics import metrics_router

        app.include_router(metrics_router(service, read_models))
    generate_openapi = app.openapi

    def openapi() -> dict:
        with document_command_headers(app.routes):
            return document_errors(generate_openapi())  # idempotent over FastAPI's cached document

    app.openapi = openapi
    if settings.otel_exporter != "none":
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,livez")
    install_admission(app, settings.max_in_flight_commands, backlog=backlog)  # last: outermost, tracing too
    return app

