"""Admission control: commands beyond the limit in flight get 503 and Retry-After at once;
reads are never turned away; a command is admitted again as soon as one finishes."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI

from shared.http.admission import install_admission

LIMIT = 3


def build_app(gate: asyncio.Event) -> FastAPI:
    app = FastAPI()
    install_admission(app, LIMIT, retry_after=2)

    @app.post("/work")
    async def work() -> dict:
        await gate.wait()
        return {"done": True}

    @app.get("/read")
    async def read() -> dict:
        return {"ok": True}

    return app


async def test_commands_beyond_the_limit_are_refused_at_once_and_admitted_again_later():
    gate = asyncio.Event()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(gate)), base_url="http://x") as c:
        held = [asyncio.ensure_future(c.post("/work")) for _ in range(LIMIT)]
        await asyncio.sleep(0.05)  # the three are in flight, waiting on the gate
        started = time.perf_counter()
        refused = await c.post("/work")
        assert time.perf_counter() - started < 0.5  # at once, not after the others
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"
        [item] = refused.json()["detail"]
        assert item["type"] == "overloaded" and "retry after 2 s" in item["msg"] and "请" in item["msg"]
        assert (await c.get("/read")).status_code == 200  # reads are not counted
        gate.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200] * LIMIT
        assert (await c.post("/work")).status_code == 200  # room again


async def test_a_failing_command_frees_its_place():
    app = FastAPI()
    install_admission(app, 1)

    @app.post("/boom")
    async def boom() -> dict:
        raise RuntimeError("broken")

    @app.post("/fine")
    async def fine() -> dict:
        return {}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
        assert (await c.post("/boom")).status_code == 500
        assert (await c.post("/fine")).status_code == 200


def test_zero_means_no_limit():
    app = FastAPI()
    install_admission(app, 0)
    assert not app.user_middleware


def test_every_service_app_installs_it_with_the_configured_limit():
    from shared.config import Settings
    from shared.http.admission import AdmissionControl
    from shared.http.app import create_service_app

    from services.registry.adapters.schema import CHAIN

    app = create_service_app("registry", title="t", description="d", routers=[], migrations=CHAIN,
                             settings=Settings(max_in_flight_commands=7))
    [admission] = [m for m in app.user_middleware if m.cls is AdmissionControl]
    assert admission.kwargs["limit"] == 7
