"""The assessment routes in process, over a ``World``'s store on the real PostgreSQL: what
the HTTP layer adds (roles and scopes, status codes, headers, where an error points) without
starting the stack."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from shared.config import get_settings
from shared.http.auth import Principal, issue_token
from shared.http.errors import install_error_handlers

from services.assessment.entrypoints.routes import ROUTERS
from tests.integration.assessment.world import World, fresh_world

AS_OF = {"as_of": "2023-01-31"}  # the 2022 assessment, a month after the year ends


def client(world: World) -> httpx.AsyncClient:
    app = FastAPI()
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.state.store = world.store
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://assessment", timeout=30)


def bearer(principal: Principal) -> dict[str, str]:
    """The header of a token the app accepts (it verifies against ``get_settings()``)."""
    return {"Authorization": f"Bearer {issue_token(get_settings(), principal)}"}


def recorded_on(moment: str) -> dict[str, str]:
    """The header that dates a command's fact (ISO 8601 with its offset)."""
    return {"X-Occurred-At": moment}


def world_fixture(label: str, *build, scope: str = "function"):
    """A ``world`` fixture: a fresh database built by ``build`` (see ``fresh_world``)."""

    @pytest.fixture(scope=scope)
    async def world(settings):
        async with fresh_world(settings, label, *build) as built:
            yield built

    return world
