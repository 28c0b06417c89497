"""Helpers for funding's end-to-end tests: designated villages and other services' facts,
written as those services' own events into their own stores, so their relays publish them
through the real broker — without depending on their APIs, which others are building."""

from __future__ import annotations

import asyncio
import secrets
import time
from datetime import date

import httpx
import pytest

from shared.contracts.assessment import MilestoneVerified
from shared.contracts.registry import TeamAssigned, VillageDesignated, WorkTeamFormed
from shared.db import create_pool
from shared.eventstore import CommandMeta, DomainEvent, EventStore
from shared.http.auth import Role
from tests.support.villages import village_body


async def append(settings, service: str, stream_id: str, *events: DomainEvent) -> None:
    pool = await create_pool(settings.dsn(service), max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            version = await conn.fetchval(
                "select coalesce(max(stream_version), 0) from es.events where stream_id = $1", stream_id)
            await EventStore(pool, service).append(conn, stream_id, version, list(events), CommandMeta(actor="test:e2e"))
    finally:
        await pool.close()


async def wait_for(probe, what: str, timeout: float = 60.0):
    """Poll ``probe()`` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Funding:
    """The funding API of the running stack, with the facts its tests need."""

    def __init__(self, stack, token, settings):
        self.stack, self.token, self.settings = stack, token, settings
        self.url = stack.url("funding")
        self.city = token(Role.city_office, subject="city-office")

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=30)

    async def designated_village(self, district: str = "120119", village_type: str = "文旅型") -> str:
        body = village_body(district, village_type=village_type)
        async with httpx.AsyncClient(timeout=30) as c:
            r = await c.post(self.stack.url("registry") + "/villages", json=body, headers=self.token())
        assert r.status_code == 201, r.text
        await append(self.settings, "registry", f"village-{body['code']}", VillageDesignated(
            code=body["code"], district=district, run_id="e2e-run", rank=1, average_fen=1))
        await self.wait_designated(body["code"])
        return body["code"]

    async def wait_designated(self, code: str) -> None:
        async def designated():
            async with self.client() as c:
                r = await c.get(f"/villages/{code}", headers=self.city)
            return r.status_code == 200 and r.json()["village"]["designated"]

        await wait_for(designated, f"village {code} designated in funding's directory")

    async def assign_team(self, unit_id: str, village: str) -> None:
        team = f"T-{secrets.token_hex(3)}"
        await append(self.settings, "registry", f"team-{team}",
                     WorkTeamFormed(team_id=team, lead_unit_id=unit_id, partner_unit_ids=[], member_ids=["c1"],
                                    first_secretary_id="c1", district=village[:6]),
                     TeamAssigned(team_id=team, lead_unit_id=unit_id, village_code=village, district=village[:6],
                                  reason="e2e"))

    async def verify_milestone(self, project_id: str, milestone_id: str, village: str, on: date) -> None:
        await append(self.settings, "assessment", f"project-{project_id}", MilestoneVerified(
            project_id=project_id, milestone_id=milestone_id, village_code=village, district=village[:6], task_no=1,
            verified_on=on))

    async def post(self, path: str, body: dict | None = None, headers: dict | None = None, **kw) -> httpx.Response:
        async with self.client() as c:
            return await c.post(path, json=body, headers=self.city if headers is None else headers, **kw)

    async def get(self, path: str, headers: dict | None = None, **kw) -> httpx.Response:
        async with self.client() as c:
            return await c.get(path, headers=self.city if headers is None else headers, **kw)

    async def line(self, amount: str, scope: str = "city", source: str = "city_special") -> str:
        line_id = f"L-{secrets.token_hex(4)}"
        r = await self.post("/lines", {"line_id": line_id, "source": source, "fiscal_year": 2022, "scope": scope,
                                       "title": "端到端测试", "amount": amount})
        assert r.status_code == 201, r.text
        return line_id

    async def allocation(self, line_id: str, village: str, amount: str, **kw) -> str:
        allocation_id = f"A-{secrets.token_hex(4)}"
        r = await self.post("/allocations", {"allocation_id": allocation_id, "line_id": line_id,
                                             "village_code": village, "amount": amount, **kw})
        assert r.status_code == 201, r.text
        return allocation_id


@pytest.fixture(scope="session")
def funding(stack, token, settings) -> Funding:
    return Funding(stack, token, settings)
