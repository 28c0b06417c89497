"""What the publicity integration tests share: a fresh database with the scenario projected,
and the statistics routes served in process over it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from types import SimpleNamespace

import httpx
from fastapi import FastAPI
from starlette.middleware import Middleware

from shared.http.errors import install_error_handlers

from services.publicity.adapters.schema import CHAIN
from services.publicity.entrypoints.kept_answers import KeptAnswers
from services.publicity.entrypoints.routes import figures, open_data, stats, villages
from tests.integration.publicity.model import Feeder
from tests.integration.publicity.scenario import Scenario, Step
from tests.support.db import dispose, fresh_store_pool


@asynccontextmanager
async def fed(settings, prefix: str, *, max_size: int = 5,
              steps: Callable[[Scenario], list[Step]] = Scenario.steps) -> AsyncIterator[SimpleNamespace]:
    """``(scenario, feeder, pool)``: a fresh database with ``steps(scenario)`` (default: the scenario) projected."""
    name, pool = await fresh_store_pool(settings, prefix, max_size=max_size, chain=CHAIN)
    try:
        feeder = Feeder(pool)
        scenario = Scenario()
        await feeder.feed(steps(scenario))
        yield SimpleNamespace(scenario=scenario, feeder=feeder, pool=pool)
    finally:
        await dispose(settings, name, pool)


def statistics_app(pool, middleware: Sequence[Middleware] = (Middleware(KeptAnswers),)) -> FastAPI:
    """The statistics and open-data routes reading ``pool``, behind ``middleware`` (outermost
    first); by default kept answers are sent before routing, as the service sends them."""
    app = FastAPI(middleware=list(middleware))
    install_error_handlers(app)
    for module in (stats, figures, villages, open_data):
        app.include_router(module.router)
    app.state.store = SimpleNamespace(pool=pool)
    return app


@asynccontextmanager
async def statistics_client(pool, **client: object) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The statistics and open-data routes, in process, reading ``pool``."""
    app = statistics_app(pool)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publicity",
                                 **client) as http:  # type: ignore[arg-type]
        yield app, http
