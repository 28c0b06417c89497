"""Two worlds of records, one per district, for the cross-scope matrix: in each a designated
village, the unit leading the team that serves it, that team's first secretary and a member
(with a pending leave), a district budget line with an allocation and a requested
disbursement, a policy for the district, a project with a milestone, a low-income person, an
income report, an inspection of the team with a finding, and a report drafted by the unit.

Everything goes through the services' APIs as the city office, but the designation, which is
the outcome of a screening: appended as registry's own event (as funding's tests do), so
every service learns the village from registry's topic.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass

import httpx

from shared.contracts.registry import VillageDesignated
from shared.db import create_pool
from shared.eventstore import CommandMeta, EventStore
from shared.http.auth import Principal, Role, issue_token
from tests.support.villages import village_body

DISTRICTS = ("120119", "120111")  # 蓟州区 (the callers' own), 西青区 (another)


@dataclass
class World:
    district: str
    village: str = ""
    unit: str = ""
    team: str = ""
    secretary: str = ""  # cadre id of the team's first secretary
    cadre: str = ""  # a member of the team, of the unit
    leave: str = ""
    line: str = ""
    allocation: str = ""
    disbursement: str = ""
    policy: str = ""
    project: str = ""
    milestone: str = "M1"
    person: str = ""
    inspection: str = ""
    finding: str = "F1"
    report: str = ""
    subscription: str = ""  # the district official's
    proposal: str = ""  # a matching proposal for the district
    evidence: str = ""  # the hash of the milestone's evidence file
    # Records the world does not make (yet): rows naming them are listed as unexercised.
    alert: str = ""

    def rows(self) -> set[str]:
        """The ids that name this world's rows: none may appear in an answer to another world's caller."""
        return {v for k, v in vars(self).items() if isinstance(v, str) and v and k not in ("district", "milestone",
                                                                                          "finding")}

    def claims(self, role: Role) -> dict[str, str]:
        """The scope claims a caller of ``role`` in this world carries."""
        return {Role.district_official: {"district": self.district}, Role.finance_officer: {"district": self.district},
                Role.assessor: {"district": self.district}, Role.inspector: {"district": self.district},
                Role.unit: {"unit": self.unit}, Role.first_secretary: {"team": self.team}}.get(role, {})

    def principal(self, role: Role) -> Principal:
        # A first secretary's subject is their cadre id: the account the scenario and the
        # registry's access checks take it to be.
        subject = self.secretary if role is Role.first_secretary else f"scope-{role.value}-{self.district}"
        return Principal(subject=subject, role=role, **self.claims(role))


def uid(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


async def _designate(stack, world: World) -> None:
    pool = await create_pool(stack.dsn("registry"), max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            stream = f"village-{world.village}"
            version = await conn.fetchval("select coalesce(max(stream_version), 0) from es.events where stream_id = $1",
                                          stream)
            await EventStore(pool, "registry").append(conn, stream, version, [VillageDesignated(
                code=world.village, district=world.district, run_id="scope-run", rank=1, average_fen=1)],
                CommandMeta(actor="test:scope-matrix"))
    finally:
        await pool.close()


async def _until(call, what: str, timeout: float = 90) -> httpx.Response:
    """Repeat ``call()`` until it answers 2xx: the service may not have heard of the village yet."""
    deadline = time.monotonic() + timeout
    while True:
        r = await call()
        if r.status_code < 300:
            return r
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: {r.status_code} {r.text[:300]}")
        await asyncio.sleep(0.25)


async def build(stack, settings, district: str) -> World:
    w = World(district)
    city = {"Authorization": f"Bearer {issue_token(settings, Principal(subject='scope-city', role=Role.city_office))}"}
    body = village_body(district)
    w.village, w.unit, w.team = body["code"], uid("SU"), uid("ST")
    w.secretary, w.cadre, w.leave = uid("SC"), uid("SC"), uid("SL")
    async with httpx.AsyncClient(timeout=30, headers=city) as c:
        async def post(service: str, path: str, json: dict, what: str | None = None) -> httpx.Response:
            url = stack.url(service) + path
            if what is None:
                r = await c.post(url, json=json)
                assert r.status_code < 300, (path, r.status_code, r.text)
                return r
            return await _until(lambda: c.post(url, json=json), what)

        await post("registry", "/villages", body)
        await _designate(stack, w)
        await post("registry", "/units", {"unit_id": w.unit, "name": "区农业农村委", "level": "district", "district": district, "strengths": ["农业"]})
        for cadre in (w.secretary, w.cadre):
            await post("registry", "/cadres", {"cadre_id": cadre, "unit_id": w.unit, "name": "测试干部", "title": "科员"})
        await post("registry", "/teams", {"team_id": w.team, "district": district, "lead_unit_id": w.unit,
                                          "member_ids": [w.secretary, w.cadre], "first_secretary_id": w.secretary})
        await post("registry", f"/teams/{w.team}/villages", {"village_code": w.village, "reason": "因需对接"},
                   "registry to know the designated village")
        await post("registry", f"/cadres/{w.cadre}/leaves", {"leave_id": w.leave, "start": "2026-12-21",
                                                             "end": "2026-12-22", "reason": "探亲"})

        w.line, w.allocation, w.disbursement, w.policy = uid("SLN"), uid("SA"), uid("SD"), uid("SP")
        await post("funding", "/lines", {"line_id": w.line, "source": "district", "fiscal_year": 2026,
                                         "scope": district, "title": "区级配套", "amount": "1000000"})
        await post("funding", "/allocations", {"allocation_id": w.allocation, "line_id": w.line,
                                               "village_code": w.village, "amount": "100000"},
                   "funding to know the designated village")
        await post("funding", "/disbursements", {"disbursement_id": w.disbursement, "allocation_id": w.allocation,
                                                 "amount": "1000"})
        await post("funding", "/policies", {"policy_id": w.policy, "name": "区级政策", "districts": [district]})

        w.project, w.person, w.inspection = uid("SPR"), uid("SLP"), uid("SI")
        await post("assessment", "/projects", {
            "project_id": w.project, "village_code": w.village, "task_no": 1, "title": "合作社",
            "planned_start": "2026-01-01", "planned_end": "2026-12-31",
            "milestones": [{"milestone_id": w.milestone, "title": "建成", "due_on": "2026-06-30"}]},
            "assessment to know the village")
        await post("assessment", "/low-income/persons", {"person_id": w.person, "household_id": uid("SH"),
                                                         "village_code": w.village,
                                                         "eligible_for": ["medical_insurance"]})
        await post("assessment", "/incomes/villages", {"village_code": w.village, "year": 2025,
                                                       "collective_income": "150000"})
        await post("assessment", "/inspections", {
            "inspection_id": w.inspection, "target_kind": "team", "target_id": w.team, "inspected_on": "2026-11-01",
            "findings": [{"finding_id": w.finding, "text": "驻村台账不全", "deadline": "2026-12-31"}]},
            "assessment to know the team")

        w.report = uid("SR")
        unit = {"Authorization": f"Bearer {issue_token(settings, w.principal(Role.unit))}"}
        r = await c.post(stack.url("publicity") + "/reports", headers=unit,
                         json={"report_id": w.report, "title": "村里的合作社", "body": "正文" * 20,
                               "village_code": w.village})
        assert r.status_code < 300, r.text
        official = {"Authorization": f"Bearer {issue_token(settings, w.principal(Role.district_official))}"}
        r = await c.post(stack.url("monitoring") + "/subscriptions", headers=official,
                         json={"url": "https://example.org/hook", "secret": "s" * 32, "districts": [district]})
        assert r.status_code < 300, r.text
        w.subscription = r.json()["subscription_id"]
        # The team's village reaches funding and assessment by registry's topic: wait for it,
        # so that "own scope" is the team's there too.
        secretary = {"Authorization": f"Bearer {issue_token(settings, w.principal(Role.first_secretary))}"}
        await _until(lambda: c.get(stack.url("funding") + f"/villages/{w.village}", headers=secretary),
                     "funding to know the team's village")

        async def served() -> httpx.Response:
            r = await c.get(stack.url("assessment") + f"/villages/{w.village}")
            return r if r.status_code == 200 and w.team in r.text else httpx.Response(404)
        await _until(served, "assessment to know the team's village")
        # The first secretary reports the milestone with a file: the evidence's hash names it.
        r = await c.post(stack.url("assessment") + f"/projects/{w.project}/milestones/{w.milestone}/report-files",
                         headers=secretary, data={"evidence_text": "已完成，见附件"},
                         files={"files": ("note.txt", f"{w.village} {uid('E')}".encode(), "text/plain")})
        assert r.status_code < 300, r.text
        w.evidence = r.json()["evidence_sha256"][0]
        w.proposal = uid("MP")
        await post("registry", "/matching/proposals", {"proposal_id": w.proposal, "districts": [district]})
    return w


async def worlds(stack, settings) -> tuple[World, World]:
    own, other = await asyncio.gather(*(build(stack, settings, d) for d in DISTRICTS))
    return own, other
