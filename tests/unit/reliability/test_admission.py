"""Admission control: commands beyond the limit in flight get 503 and Retry-After at once;
reads are never turned away; a command is admitted again as soon as one finishes."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI

from shared.http.admission import AdmissionControl, install_admission

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
    assert not isinstance(app.build_middleware_stack(), AdmissionControl)


def test_every_service_app_installs_it_with_the_configured_limit_outside_everything_else():
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    from shared.config import Settings
    from shared.http.app import create_service_app

    from services.registry.adapters.schema import CHAIN

    app = create_service_app("registry", title="t", description="d", routers=[], migrations=CHAIN,
                             settings=Settings(max_in_flight_commands=7, otel_exporter="console"))
    stack = app.build_middleware_stack()
    assert isinstance(stack, AdmissionControl) and stack.limit == 7
    # Tracing wraps the rest of the stack: a refused command starts no span.
    inner, found = stack.app, []
    while inner is not None:
        found.append(type(inner))
        inner = getattr(inner, "app", None)
    assert OpenTelemetryMiddleware in found


async def test_a_refusal_reads_no_body_and_reaches_nothing_inside():
    reached = []

    async def inside(scope, receive, send):
        reached.append(scope["path"])

    async def receive():
        raise AssertionError("a refusal reads no body")

    sent = []

    async def send(message):
        sent.append(message)

    admission = AdmissionControl(inside, limit=1)
    admission.in_flight = 1
    for _ in range(2):  # the answer is built once and sent afresh each time
        await admission({"type": "http", "method": "POST", "path": "/villages"}, receive, send)
    assert reached == []
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [503, 503] and starts[0]["headers"] is not starts[1]["headers"]
    assert dict(starts[0]["headers"])[b"retry-after"] == b"1"


async def test_under_the_backlog_limit_commands_beyond_the_pace_are_refused_and_reads_served():
    from shared.config import Settings
    from shared.http.backlog import Backlog

    backlog = Backlog("registry", Settings(), limit=1.0)
    app = FastAPI()
    install_admission(app, 0, backlog=backlog)

    @app.post("/work")
    async def work() -> dict:
        return {}

    @app.get("/read")
    async def read() -> dict:
        return {}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c:
        assert (await c.post("/work")).status_code == 200
        backlog.observe(0.6)  # behind, no drain measured yet: a few (16) may wait in the pipeline
        for _ in range(16):
            assert (await c.post("/work")).status_code == 200
        refused = await c.post("/work")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
        [item] = refused.json()["detail"]
        assert item["type"] == "overloaded" and item["ctx"]["backlog_seconds"] == 0.6
        assert (await c.get("/read")).status_code == 200
        backlog.observe(0.1)  # caught up
        assert (await c.post("/work")).status_code == 200
        backlog.observe(1.5)  # past the limit: none, and the wait says about how long
        assert (await c.post("/work")).headers["Retry-After"] == "1"
        backlog.observe(3.2)
        assert (await c.post("/work")).headers["Retry-After"] == "3"


def test_publicity_answers_its_public_host_before_admission():
    # A write from the public host is not found there, overloaded or not (public_edge.py).
    from services.publicity.entrypoints.api import app
    from services.publicity.entrypoints.public_edge import PublicEdge

    stack = app.build_middleware_stack()
    assert isinstance(stack, PublicEdge) and isinstance(stack.app, AdmissionControl)
