"""The assessment API of the running stack, and a real team for a weak village: the village
and the team come through registry's API (its designation appended as registry's own event,
as funding's tests do), so assessment learns them from registry's topic."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx

from shared.http.auth import Role
from tests.e2e.funding.conftest import Funding, wait_for


def uid(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Served:
    """A designated village, the team serving it, and its first secretary."""

    village: str
    team: str
    secretary: dict  # Authorization header
    secretary_subject: str


class Assessment:
    def __init__(self, stack, token, settings):
        self.stack, self.token, self.settings = stack, token, settings
        self.url = stack.url("assessment")
        self.city = token(Role.city_office, subject="city-office")
        self.assessor = token(Role.assessor, subject="assessor-wang")
        self.reviewer = token(Role.assessor, subject="assessor-zhao")
        self.inspector = token(Role.inspector, subject="inspector-qian")
        self.funding = Funding(stack, token, settings)

    async def post(self, path: str, body: dict | None = None, headers: dict | None = None, **kw) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as c:
            return await c.post(path, json=body, headers=self.city if headers is None else headers, **kw)

    async def put_rubric(self, year: int, body: dict) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as c:
            return await c.put(f"/rubrics/{year}", json=body, headers=self.city)

    async def get(self, path: str, headers: dict | None = None, **kw) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as c:
            return await c.get(path, headers=self.city if headers is None else headers, **kw)

    async def village_with_team(self, district: str = "120119", formed_at: str | None = None) -> Served:
        """A designated village served by a new team, formed and assigned at ``formed_at`` (an
        ISO timestamp) when given."""
        village = await self.funding.designated_village(district)
        unit, cadre, team = uid("U"), uid("C"), uid("T")
        headers = self.city | ({"X-Occurred-At": formed_at} if formed_at else {})
        async with httpx.AsyncClient(base_url=self.stack.url("registry"), headers=headers, timeout=30) as registry:
            for path, body in (
                ("/units", {"unit_id": unit, "name": "市农业农村委", "level": "city", "strengths": ["农业"]}),
                ("/cadres", {"cadre_id": cadre, "unit_id": unit, "name": "李四", "title": "副处长"}),
                ("/teams", {"team_id": team, "district": district, "lead_unit_id": unit, "member_ids": [cadre],
                            "first_secretary_id": cadre}),
                (f"/teams/{team}/villages", {"village_code": village, "reason": "因需对接"}),
            ):
                r = await registry.post(path, json=body)
                assert r.status_code == 201, (path, r.text)
        async def known():
            r = await self.get(f"/villages/{village}")
            return r.status_code == 200 and team in r.json()["teams"]

        await wait_for(known, f"assessment to hear of team {team} in {village}")
        subject = f"secretary-{cadre}"
        return Served(village, team, self.token(Role.first_secretary, subject=subject, team=team), subject)

    async def until_created(self, path: str, body: dict, headers: dict, what: str) -> httpx.Response:
        """Post until the service has heard of what the command depends on (a 4xx writes nothing)."""
        async def attempt():
            r = await self.post(path, body, headers)
            return r if r.status_code in (200, 201) else None

        return await wait_for(attempt, what, timeout=60)
