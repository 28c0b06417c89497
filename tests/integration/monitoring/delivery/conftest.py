"""Monitoring's delivery against a real PostgreSQL: a database of its own per test, alert
events appended to its real event store and sequenced as the relay does, a real HTTP
receiver (aiohttp on a free port) for webhooks, and the routes served by uvicorn."""

from __future__ import annotations

import asyncio
import itertools
import socket
from dataclasses import dataclass, field
from datetime import date
from uuid import uuid4

import pytest
import uvicorn
from aiohttp import web
from fastapi import FastAPI

from shared.contracts.monitoring import AlertAcknowledged, AlertEscalated, AlertRaised, AlertResolved
from shared.eventstore import CommandMeta, EventStore
from shared.http.auth import issue_token
from shared.http.errors import install_error_handlers
from shared.identity import Principal, Role
from shared.privacy.sealed import Sealed

from services.monitoring.adapters.schema import CHAIN
from services.monitoring.entrypoints.routes import stream, subscriptions
from tests.support.db import dispose, fresh_store_pool, sequence_until

DAY = date(2023, 3, 1)
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Alerts:
    """Appends alert events to monitoring's store as its handlers would, and sequences them."""

    def __init__(self, pool):
        self.pool = pool
        self.store = EventStore(pool, "monitoring")
        self.versions: dict[str, int] = {}
        self.appended = 0

    async def _append(self, alert_id: str, event) -> None:
        version = self.versions.get(alert_id, 0)
        async with self.pool.acquire() as conn, conn.transaction():
            await self.store.append(conn, f"alert-{alert_id}", version, [event], CommandMeta(actor="test"))
        self.versions[alert_id] = version + 1
        self.appended += 1
        await sequence_until(self.pool, self.appended)

    async def raise_(self, *, district: str | None = "120111", village_code: str | None = None,
                     team_id: str | None = None, rule_id: str = "funding.approval_waiting",
                     severity: str = "warning") -> str:
        alert_id = f"a{next(_ids)}-{uuid4().hex[:6]}"
        await self._append(alert_id, AlertRaised(
            alert_id=alert_id, rule_id=rule_id, rule_version=1, severity=severity, subject_kind="disbursement",
            subject_id=f"d-{alert_id}", district=district, village_code=village_code, team_id=team_id,
            audience=["district_official"], raised_on=DAY, cause_event_id=uuid4(),
            title="拨付待批超期 / disbursement waiting for approval", figures={"days": 21}))
        return alert_id

    async def escalate(self, alert_id: str) -> None:
        await self._append(alert_id, AlertEscalated(alert_id=alert_id, level=1, escalated_to=["city_office"],
                                                    escalated_on=DAY))

    async def acknowledge(self, alert_id: str) -> None:
        await self._append(alert_id, AlertAcknowledged(alert_id=alert_id, by="official", acknowledged_on=DAY,
                                                       note=Sealed(key=f"alert-{alert_id}", data="x")))

    async def resolve(self, alert_id: str) -> None:
        await self._append(alert_id, AlertResolved(alert_id=alert_id, how="cleared", resolved_on=DAY,
                                                   cause_event_id=uuid4()))

    async def positions(self) -> list[int]:
        async with self.pool.acquire() as conn:
            return [r["position"] for r in await conn.fetch(
                "select l.position from es.log l join es.events e on e.id = l.event_row "
                "where e.stream_id like 'alert-%' order by 1")]


@pytest.fixture
async def db(settings):
    name, pool = await fresh_store_pool(settings, "mondel", max_size=20, chain=CHAIN)
    yield pool
    await dispose(settings, name, pool)


@pytest.fixture
def alerts(db) -> Alerts:
    return Alerts(db)


@dataclass
class Receiver:
    """A real HTTP receiver: answers ``fail_first`` requests (or all, with ``fail_always``) with 500."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    fail_first: int = 0
    fail_always: bool = False
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        failing = self.fail_always or len(self.requests) < self.fail_first
        self.requests.append({"headers": dict(request.headers), "body": body, "answered": 500 if failing else 204})
        self.arrived.set()
        return web.Response(status=500 if failing else 204)

    @property
    def accepted(self) -> list[dict]:
        return [r for r in self.requests if r["answered"] == 204]


@pytest.fixture
async def receiver():
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


def token(settings, role: Role, **claims) -> dict[str, str]:
    principal = Principal(subject=f"{role.value}-{next(_ids)}", role=role, **claims)
    return {"Authorization": f"Bearer {issue_token(settings, principal)}"}


class Served(str):
    """The base URL, with the app behind it (for its process-wide state)."""

    app: FastAPI


@pytest.fixture
async def api(db, settings):
    """The delivery routes as core's app includes them, served by uvicorn on a free port."""
    app = FastAPI()
    install_error_handlers(app)
    app.state.store = EventStore(db, "monitoring")
    app.include_router(stream.router)
    app.include_router(subscriptions.router)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    served = Served(f"http://127.0.0.1:{port}")
    served.app = app
    yield served
    server.should_exit = True
    await task
