"""Model-based, through the real APIs: random forward and undoing commands sent over HTTP to the
running registry, funding and assessment services — correct a baseline and screen again (villages
leave the list and come in, their teams unassigned, their allocations frozen by funding's
reactor); assign and unassign a team, train a cadre;
allocate and cancel; request, approve, reject, pay and reverse; report a village's income and
report it again; record and withdraw eligibility, record and end cover — their events carried
by the relays and the broker to publicity's workers. After each step publicity's answers —
``/stats/headline``, ``/designation``, ``/coverage``, ``/money``, ``/income``, ``/low-income`` and the
``cadres_stationed`` figure — now and as of an earlier instant must equal what the reference
model (``tests/support/reference_model.py``) computes from the contract events the accepted
commands stand for.

Each example is a world of its own: a stack of its own (databases and topics under a fresh
namespace on the session's PostgreSQL and Kafka), so the city-wide figures are this world's
alone. 30 villages in 3 districts are registered over registry's API with distinct baseline
incomes and designated by a screening run (the bottom 12; the model ranks them by the rule
registry's API states, and the answers must name the same villages in and out), 3 teams formed by 2 units, one
budget line, 6 low-income people registered eligible for one cover each.

Publicity is waited for by log positions, never by time: each source's relay has published
its whole log (``es.relay_state``), and then every projection of publicity has applied every
partition up to the broker's end offsets (``/stats/lag``). Waiting for the highest position
applied per source is not enough: a topic has several partitions, and the highest position
says nothing of a lower one still waiting in another partition — that race made the first
version of this test disagree now and then.

``make test`` runs one example of a bounded number of steps with a fixed seed; ``make
test-long`` more examples of more steps, drawn afresh.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
from datetime import UTC, date, datetime

import asyncpg
import httpx
import pytest
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from shared.contracts import assessment as A
from shared.contracts import funding as F
from shared.contracts import registry as R
from shared.http.auth import Principal, Role, issue_token
from shared.privacy.cipher import Sealed

from tests.e2e.funding.conftest import wait_for
from tests.support import reference_model
from tests.support.reference_model import Reference, State
from tests.support.stack import ServiceStack
from tests.support.villages import village_body

pytestmark = pytest.mark.e2e

SERVICES = ("registry", "funding", "assessment", "publicity")
SOURCES = ("registry", "funding", "assessment")
DISTRICTS = ("120111", "120114", "120119")
QUOTA = 12
AMOUNT_FEN = 3_000_000  # each allocation: 30,000 yuan
SHARE_FEN = 1_000_000  # each request: 10,000 yuan
COVERS = ("medical_insurance", "education_aid", "housing_renovation")
PEOPLE = 6
# Incomes reported between 180,000 and 240,000 yuan: never more than the income check's factor
# from the baselines (100,000–129,000) or from each other, so no report is flagged for review.
INCOMES_YUAN = (180_000, 200_000, 240_000)


def ranked(baselines: dict[str, dict[str, int]]) -> list[str]:
    """Registry's rule, as its API states it: every village by its 2018–2020 average (fen, floored)
    from the bottom, ties by code."""
    return sorted(baselines, key=lambda code: (sum(baselines[code].values()) // 3, code))


class World:
    """A stack of its own, its ids, and how to wait for publicity."""

    def __init__(self, stack: ServiceStack):
        self.stack = stack
        settings = stack.settings

        def token(role: Role, subject: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {issue_token(settings, Principal(subject=subject, role=role))}"}
        self.city = token(Role.city_office, "model-city")
        self.requester = token(Role.finance_officer, "model-alice")
        self.approver = token(Role.finance_officer, "model-bob")
        self.tag = secrets.token_hex(3)
        self.villages: list[str] = []
        self.baselines: dict[str, dict[str, int]] = {}  # village -> year -> fen
        self.run_id: str | None = None  # the screening run in force
        self.teams: dict[str, str] = {}  # district -> team
        self.cadres: list[str] = []
        self.people: dict[str, str] = {}  # person -> village
        self.line = f"L-model-{self.tag}"

    async def post(self, service: str, path: str, body: dict | None, headers: dict | None = None) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.stack.url(service), timeout=30) as c:
            r = await c.post(path, json=body, headers=headers or self.city)
        assert r.status_code in (200, 201), (service, path, r.status_code, r.text)
        return r

    async def get(self, service: str, path: str, **params) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.stack.url(service), timeout=30) as c:
            return await c.get(path, params=params, headers=self.city)

    async def published_heads(self) -> None:
        """Until each source's relay has sequenced every committed event and published its whole log."""
        for source in SOURCES:
            conn = await asyncpg.connect(self.stack.dsn(source))
            try:
                async def published() -> bool:
                    return await conn.fetchval(
                        """select not exists (select 1 from es.events e
                                              where not exists (select 1 from es.log l where l.event_row = e.id))
                                  and (select published_position from es.relay_state)
                                      >= (select coalesce(max(position), 0) from es.log)""")
                await wait_for(published, f"{source}'s relay to publish its whole log", timeout=60)
            finally:
                await conn.close()

    async def caught_up(self) -> None:
        """Until every projection of publicity has applied every partition up to the broker's end."""
        await self.published_heads()

        async def applied() -> bool:
            r = await self.get("publicity", "/stats/lag")
            return r.status_code == 200 and all(p["events_behind"] == 0 for p in r.json()["projections"])
        await wait_for(applied, "publicity to apply every partition to its end", timeout=60)

    async def figures(self, as_of: str | None) -> dict:
        """Publicity's answers, as of ``as_of`` (None: now), in the reference model's shape."""
        params = {"as_of": as_of} if as_of else {}
        paths = ("/stats/headline", "/stats/designation", "/stats/coverage", "/stats/money", "/stats/income",
                 "/stats/low-income", "/stats/figures/cadres_stationed")
        answers = await asyncio.gather(*(self.get("publicity", p, **params) for p in paths))
        for path, r in zip(paths, answers, strict=True):
            assert r.status_code == 200, (path, r.text)
        h, d, c, m, i, li, stationed = (r.json() for r in answers)
        return reference_model.published(h["headline"], d, c, m, i, li, int(stationed["value"]), DISTRICTS)


class ThroughTheApis(RuleBasedStateMachine):
    settings: object
    workdir: object
    checks = 0
    seen: set[str] = set()  # the event types the accepted commands stood for, over all examples

    def __init__(self):
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.ref = Reference()
        # After each step, once publicity caught up: the instant, and how many events the model held.
        self.instants: list[tuple[datetime, int]] = []
        self.serial = 0
        self.draw_instant = 0
        self.world: World | None = None

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def emit(self, *events) -> None:
        """What the command just accepted stands for, in the contracts' terms, at its commit."""
        for e in events:
            self.ref.add(len(self.ref.events), e)
            self.seen.add(type(e).__name__ + ("" if getattr(e, "eligible", True) else ":withdrawn"))

    def now(self) -> State:
        return self.ref.state(len(self.ref.events))

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.world.tag}-{self.serial}"

    def teardown(self):
        try:
            if self.world is not None:
                self.world.stack.stop_all()
        finally:
            self.loop.close()

    @initialize()
    def fresh_world(self):
        stack = ServiceStack(self.settings, self.workdir, namespace=f"mb{secrets.token_hex(3)}")
        self.world = World(stack)
        stack.start(SERVICES)
        self.run(self._build())

    async def _build(self) -> None:
        w = self.world
        for i in range(30):
            yuan_ = 100_000 + 1_000 * i
            body = village_body(DISTRICTS[i % 3], income_2018=yuan_, income_2019=yuan_, income_2020=yuan_)
            await w.post("registry", "/villages", body)
            w.villages.append(body["code"])
            w.baselines[body["code"]] = dict.fromkeys(("2018", "2019", "2020"), yuan_ * 100)
        bottom = await self._screen(QUOTA)
        units = [f"U-model-{w.tag}-{n}" for n in range(2)]
        for unit in units:
            await w.post("registry", "/units", {"unit_id": unit, "name": "模型单位", "level": "city",
                                                "strengths": ["农业"]})
        for n, district in enumerate(DISTRICTS):
            team, unit = f"T-{w.tag}-{district}", units[n // 2]  # a unit leads at most 2 teams
            secretary, member = f"C-{w.tag}-{district}-1", f"C-{w.tag}-{district}-2"
            for cadre in (secretary, member):
                await w.post("registry", "/cadres", {"cadre_id": cadre, "unit_id": unit, "name": "某", "title": "干部"})
                w.cadres.append(cadre)
            await w.post("registry", "/teams", {"team_id": team, "district": district, "lead_unit_id": unit,
                                                "member_ids": [secretary, member], "first_secretary_id": secretary})
            self.emit(R.WorkTeamFormed(team_id=team, lead_unit_id=unit, partner_unit_ids=[],
                                       member_ids=[secretary, member], first_secretary_id=secretary,
                                       district=district))
            w.teams[district] = team
        await w.post("funding", "/lines", {"line_id": w.line, "source": "city_special", "fiscal_year": 2022,
                                           "scope": "city", "title": "模型测试", "amount": "10000000.00"})
        self.emit(F.BudgetAppropriated(line_id=w.line, source="city_special", fiscal_year=2022, scope="city",
                                       title="模型测试", amount_fen=1_000_000_000))

        async def others_know() -> bool:
            # Allocations need funding to know the designations; people and incomes, assessment the villages.
            for code in sorted(bottom):
                r = await w.get("funding", f"/villages/{code}")
                if r.status_code != 200 or not r.json()["village"]["designated"]:
                    return False
            return all([(await w.get("assessment", f"/villages/{code}")).status_code == 200 for code in w.villages])
        await wait_for(others_know, "funding and assessment to learn the villages and designations")
        for n in range(PEOPLE):
            person, village, cover = f"P-{w.tag}-{n}", w.villages[n * 5], COVERS[n % 3]
            await w.post("assessment", "/low-income/persons", {"person_id": person, "household_id": f"H-{w.tag}-{n}",
                                                               "village_code": village, "eligible_for": [cover]})
            self.emit(A.LowIncomePersonRegistered(person_id=person, household_id="h", village_code=village,
                                                  district=village[:6]),
                      A.EligibilityRecorded(person_id=person, village_code=village, district=village[:6], cover=cover,
                                            eligible=True))
            w.people[person] = village
        await self._settle()

    async def _settle(self) -> None:
        await self.world.caught_up()
        self.instants.append((datetime.now(UTC), len(self.ref.events)))

    # -- registry ----------------------------------------------------------------------------

    @rule(pick=st.integers(0, 1000))
    def assign_or_unassign(self, pick):
        s, w = self.now(), self.world
        district = DISTRICTS[pick % 3]
        team = w.teams[district]
        mine = sorted(v for t, v in s.assigned if t == team)
        taken = {v for _, v in s.assigned}
        free = sorted(v for v in s.designated if v[:6] == district and v not in taken)
        if mine and (len(mine) == 2 or not free or pick % 2):
            v = mine[pick % len(mine)]
            self.run(w.post("registry", f"/teams/{team}/villages/{v}/unassign", {"reason": "轮换调整"}))
            self.emit(R.TeamUnassigned(team_id=team, village_code=v, district=v[:6], reason="轮换调整"))
        elif free:
            v = free[pick % len(free)]
            self.run(w.post("registry", f"/teams/{team}/villages", {"village_code": v, "reason": "因需对接"}))
            self.emit(R.TeamAssigned(team_id=team, lead_unit_id="u", village_code=v, district=v[:6], reason="因需对接"))
        self.run(self._settle())

    @rule(pick=st.integers(0, 1000))
    def train(self, pick):
        cadre = self.world.cadres[pick % len(self.world.cadres)]
        today = date.today().isoformat()
        self.run(self.world.post("registry", f"/cadres/{cadre}/trainings", {"course": "集中培训", "completed_on": today}))
        self.emit(R.CadreTrained(cadre_id=cadre, course="集中培训", completed_on=date.today()))
        self.run(self._settle())

    async def _screen(self, quota: int) -> set[str]:
        """A screening run (superseding the one in force, if any); the model takes the villages in
        and out from the ranking rule, and the answer must name the same."""
        w, s = self.world, self.now()
        run, order = f"run-{w.tag}-{self.serial}", ranked(w.baselines)
        self.serial += 1
        new = set(order[:quota])
        removed, added = sorted(s.designated - new), sorted(new - s.designated)
        teams = {v: t for t, v in s.assigned}
        body = {"run_id": run, "quota": quota} | ({"supersedes": w.run_id} if w.run_id else {})
        done = (await w.post("registry", "/screenings", body)).json()
        assert (done["designated"], sorted(done["removed"]), sorted(done["teams_unassigned"])) == (
            quota, removed, sorted(v for v in removed if v in teams)), done
        if w.run_id:
            assert sorted(done["added"]) == added, done
        w.run_id = run
        for v in removed:
            if v in teams:
                self.emit(R.TeamUnassigned(team_id=teams[v], village_code=v, district=v[:6], reason="撤销认定"))
            self.emit(R.DesignationRevoked(code=v, district=v[:6], run_id=run, reason="重新筛选"))
        self.emit(*(R.VillageDesignated(code=v, district=v[:6], run_id=run, rank=order.index(v) + 1,
                                        average_fen=sum(w.baselines[v].values()) // 3) for v in added))
        await self._funding_follows(removed, added)
        return new

    async def _funding_follows(self, removed: list[str], added: list[str]) -> None:
        """Until funding has heard of the list as it now stands: a village that came in takes
        allocations, and each open allocation of a village out is frozen (of one back in, not)."""
        w, s = self.world, self.now()
        async def follows() -> bool:
            for v in [*removed, *added]:
                r = await w.get("funding", f"/villages/{v}")
                if r.status_code != 200 or r.json()["village"]["designated"] != (v in s.designated):
                    return False
            for i in self._open(s, designated_only=False):
                if s.allocations[i]["village"] in {*removed, *added}:
                    r = await w.get("funding", f"/allocations/{i}")
                    if r.status_code != 200 or (r.json()["status"] == "frozen") == (s.allocations[i]["village"]
                                                                                     in s.designated):
                        return False
            return True
        await wait_for(follows, "funding to follow the new list", timeout=60)

    @rule(pick=st.integers(0, 1000), thousands=st.integers(95, 135), quota=st.integers(QUOTA - 2, QUOTA + 2))
    def rescreen(self, pick, thousands, quota):
        """A baseline corrected, then a new run superseding the one in force: villages leave the
        list (their team unassigned, their allocations frozen) and others come in."""
        w = self.world
        v = w.villages[pick % len(w.villages)]
        if w.baselines[v]["2020"] == thousands * 100_000:  # the domain refuses a "correction" to the same figure
            thousands += 1
        self.run(w.post("registry", f"/villages/{v}/income-corrections",
                        {"year": "2020", "income": f"{thousands * 1000}.00", "reason": "核实更正"}))
        w.baselines[v]["2020"] = thousands * 100_000
        self.run(self._screen(quota))
        self.run(self._settle())

    # -- funding -----------------------------------------------------------------------------

    @rule(pick=st.integers(0, 1000))
    def allocate(self, pick):
        designated = sorted(self.now().designated)
        v, allocation = designated[pick % len(designated)], self.next_id("A")
        self.run(self.world.post("funding", "/allocations", {"allocation_id": allocation, "line_id": self.world.line,
                                                             "village_code": v, "amount": "30000.00"}))
        self.emit(F.FundsAllocated(allocation_id=allocation, line_id=self.world.line, source="city_special",
                                   fiscal_year=2022, village_code=v, district=v[:6], amount_fen=AMOUNT_FEN))
        self.run(self._settle())

    @staticmethod
    def _open(s: State, designated_only: bool = True) -> list[str]:
        """Allocations not cancelled; of villages on the list only, unless asked (the others are
        frozen: no request, no cancellation, nothing decided until the city office acts)."""
        return sorted(i for i, a in s.allocations.items()
                      if not a["released"] and (a["village"] in s.designated or not designated_only))

    @rule(pick=st.integers(0, 1000))
    def request(self, pick):
        s = self.now()
        room = [i for i in self._open(s) if s.allocations[i]["amount"] - sum(
            d["amount"] for d in s.disbursements.values()
            if d["allocation"] == i and d["status"] in ("requested", "approved", "paid")) >= SHARE_FEN]
        if not room:
            return
        i, d = room[pick % len(room)], self.next_id("D")
        v = s.allocations[i]["village"]
        self.run(self.world.post("funding", "/disbursements", {"disbursement_id": d, "allocation_id": i,
                                                               "amount": "10000.00"}, self.world.requester))
        self.emit(F.DisbursementRequested(disbursement_id=d, allocation_id=i, line_id=self.world.line,
                                          source="city_special", village_code=v, district=v[:6],
                                          amount_fen=SHARE_FEN))
        self.run(self._settle())

    @rule(pick=st.integers(0, 1000), choice=st.integers(0, 3))
    def decide(self, pick, choice):
        """The next step of a disbursement: approve or reject a request, pay, or reverse a payment."""
        s, w = self.now(), self.world
        moving = sorted(k for k, d in s.disbursements.items()
                        if d["status"] in ("requested", "approved", "paid") and d["village"] in s.designated)
        if not moving:
            return
        k = moving[pick % len(moving)]
        d = s.disbursements[k]
        common = dict(allocation_id=d["allocation"], village_code=d["village"], district=d["village"][:6])
        if d["status"] == "requested" and choice == 0:
            self.run(w.post("funding", f"/disbursements/{k}/reject", {"reason": "材料不全"}, w.approver))
            self.emit(F.DisbursementRejected(disbursement_id=k, amount_fen=d["amount"], reason="材料不全", **common))
        elif d["status"] == "requested":
            self.run(w.post("funding", f"/disbursements/{k}/approve", None, w.approver))
            self.emit(F.DisbursementApproved(disbursement_id=k, amount_fen=d["amount"], **common))
        elif d["status"] == "approved":
            self.run(w.post("funding", f"/disbursements/{k}/pay", {"voucher_no": f"V-{k}"}, w.approver))
            self.emit(F.DisbursementPaid(disbursement_id=k, line_id=w.line, source="city_special",
                                         amount_fen=d["amount"], paid_on=datetime.now(UTC).date(), voucher_no="v",
                                         **common))
        else:
            self.run(w.post("funding", f"/disbursements/{k}/reverse", {"reason": "账户错误"}, w.requester))
            self.emit(F.DisbursementReversed(disbursement_id=k, line_id=w.line, source="city_special",
                                             amount_fen=d["amount"], reason="账户错误", **common))
        self.run(self._settle())

    @rule(pick=st.integers(0, 1000))
    def cancel(self, pick):
        """An allocation with no request in flight is cancelled: what was not paid returns to the line."""
        s = self.now()
        quiet = [i for i in self._open(s) if not any(
            d["allocation"] == i and d["status"] in ("requested", "approved") for d in s.disbursements.values())]
        if not quiet:
            return
        i = quiet[pick % len(quiet)]
        a = s.allocations[i]
        paid = sum(d["amount"] for d in s.disbursements.values() if d["allocation"] == i and d["status"] == "paid")
        self.run(self.world.post("funding", f"/allocations/{i}/cancel", {"reason": "项目调整"}))
        self.emit(F.AllocationCancelled(allocation_id=i, line_id=self.world.line, village_code=a["village"],
                                        released_fen=a["amount"] - paid, reason="项目调整"))
        self.run(self._settle())

    # -- assessment --------------------------------------------------------------------------

    @rule(pick=st.integers(0, 1000), year=st.sampled_from([2021, 2022]), yuan_=st.sampled_from(INCOMES_YUAN))
    def report_income(self, pick, year, yuan_):
        """A village's collective income for a year, or a new report replacing the standing one."""
        v = self.world.villages[pick % len(self.world.villages)]
        self.run(self.world.post("assessment", "/incomes/villages", {"village_code": v, "year": year,
                                                                     "collective_income": f"{yuan_}.00"}))
        self.emit(A.CollectiveIncomeReported(village_code=v, district=v[:6], year=year, income_fen=yuan_ * 100))
        self.run(self._settle())

    @rule(pick=st.integers(0, 1000), cover=st.sampled_from(COVERS), eligible=st.booleans())
    def eligibility(self, pick, cover, eligible):
        """Eligibility recorded or withdrawn (recording what stands already changes nothing)."""
        person = sorted(self.world.people)[pick % PEOPLE]
        if self.now().eligible.get((person, cover)) == eligible:
            return
        v = self.world.people[person]
        self.run(self.world.post("assessment", f"/low-income/persons/{person}/eligibility",
                                 {"cover": cover, "eligible": eligible}))
        self.emit(A.EligibilityRecorded(person_id=person, village_code=v, district=v[:6], cover=cover,
                                        eligible=eligible))
        self.run(self._settle())

    @rule(pick=st.integers(0, 1000), end=st.booleans())
    def cover_or_end(self, pick, end):
        """A cover in force ended, or one recorded for a person eligible and not yet covered."""
        s, today = self.now(), date.today()
        covered = sorted(k for k, yes in s.covered.items() if yes)
        uncovered = sorted(k for k, yes in s.eligible.items() if yes and not s.covered.get(k))
        if end and covered:
            person, cover = covered[pick % len(covered)]
            v = self.world.people[person]
            self.run(self.world.post("assessment", f"/low-income/persons/{person}/coverage/{cover}/end",
                                     {"reason": "迁出本村"}))
            self.emit(A.CoverageEnded(person_id=person, village_code=v, district=v[:6], cover=cover, ended_on=today,
                                      reason=Sealed.clear("k", "迁出本村")))
        elif uncovered:
            person, cover = uncovered[pick % len(uncovered)]
            v = self.world.people[person]
            self.run(self.world.post("assessment", f"/low-income/persons/{person}/coverage", {"cover": cover}))
            self.emit(A.CoverageRecorded(person_id=person, village_code=v, district=v[:6], cover=cover,
                                         covered_on=today))
        else:
            return
        self.run(self._settle())

    # -- the comparison ------------------------------------------------------------------------

    def expected(self, held: int) -> dict:
        """The figures the first ``held`` events say."""
        return reference_model.figures(self.ref.state(held - 1), registered=len(self.world.villages),
                                       districts=DISTRICTS, teams=sorted(self.world.teams.values()))

    @invariant()
    def publicity_matches_the_model_now_and_before(self):
        if not self.instants:
            return
        assert self.run(self.world.figures(None)) == self.expected(len(self.ref.events))
        # As of an instant between two earlier steps: what the events up to then say.
        self.draw_instant = (self.draw_instant * 7 + 3) % len(self.instants)  # fixed, but moving over the past
        instant, held = self.instants[self.draw_instant]
        assert self.run(self.world.figures(instant.isoformat())) == self.expected(held), f"as of {instant.isoformat()}"
        type(self).checks += 1


def _run(settings, workdir, *, examples: int, steps: int, derandomize: bool) -> int:
    ThroughTheApis.settings, ThroughTheApis.workdir, ThroughTheApis.checks = settings, workdir, 0
    ThroughTheApis.seen = set()
    run_state_machine_as_test(ThroughTheApis, settings=hypothesis_settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=derandomize,
        phases=[Phase.explicit, Phase.reuse, Phase.generate], database=None,
        suppress_health_check=list(HealthCheck)))
    return ThroughTheApis.checks


UNDOING = {"DesignationRevoked", "TeamUnassigned", "DisbursementRejected", "DisbursementReversed",
           "AllocationCancelled", "CoverageEnded", "EligibilityRecorded:withdrawn"}

# The rules' arguments as drawn by a seeded ``random.Random`` (the same ranges as the strategies),
# and how often each rule is drawn: the steps a payment needs before it can be reversed come more
# often. With these, seed 977 and 24 steps send every kind of undoing (asserted below).
WEIGHTS = {"decide": 4, "request": 3, "allocate": 2, "assign_or_unassign": 2, "cover_or_end": 2, "cancel": 1,
           "rescreen": 1, "eligibility": 1, "report_income": 1, "train": 1}
ARGUMENTS = {
    "assign_or_unassign": lambda r: {"pick": r.randrange(1001)},
    "train": lambda r: {"pick": r.randrange(1001)},
    "rescreen": lambda r: {"pick": r.randrange(1001), "thousands": r.randint(95, 135),
                           "quota": r.randint(QUOTA - 2, QUOTA + 2)},
    "allocate": lambda r: {"pick": r.randrange(1001)},
    "request": lambda r: {"pick": r.randrange(1001)},
    "decide": lambda r: {"pick": r.randrange(1001), "choice": r.randint(0, 3)},
    "cancel": lambda r: {"pick": r.randrange(1001)},
    "report_income": lambda r: {"pick": r.randrange(1001), "year": r.choice([2021, 2022]),
                                "yuan_": r.choice(INCOMES_YUAN)},
    "eligibility": lambda r: {"pick": r.randrange(1001), "cover": r.choice(COVERS), "eligible": r.random() < 0.5},
    "cover_or_end": lambda r: {"pick": r.randrange(1001), "end": r.random() < 0.5},
}


@pytest.mark.timeout(900)  # ~60 s alone; minutes when the machine is shared
def test_random_commands_through_the_apis_keep_publicity_equal_to_the_model(settings, tmp_path):
    """``make test``'s version: one world, a fixed seed, a bounded number of steps.

    The steps are drawn by a seeded ``random.Random``, not by hypothesis: hypothesis's first
    example is always its simplest (the first rule, every argument 0, at each step), so one
    derandomized example undoes nothing, and each further example costs a stack of its own."""
    steps = int(os.environ.get("XINGCUN_MODEL_API_STEPS", "24"))
    draw = random.Random(int(os.environ.get("XINGCUN_MODEL_API_SEED", "977")))
    ThroughTheApis.settings, ThroughTheApis.workdir, ThroughTheApis.checks = settings, tmp_path, 0
    ThroughTheApis.seen = set()
    machine = ThroughTheApis()
    try:
        machine.fresh_world()
        machine.publicity_matches_the_model_now_and_before()
        for _ in range(steps):
            name = draw.choices(sorted(WEIGHTS), [WEIGHTS[n] for n in sorted(WEIGHTS)])[0]
            getattr(machine, name)(**ARGUMENTS[name](draw))
            machine.publicity_matches_the_model_now_and_before()
    finally:
        machine.teardown()
    assert ThroughTheApis.checks == steps + 1
    if "XINGCUN_MODEL_API_SEED" not in os.environ:
        assert UNDOING - ThroughTheApis.seen == set()  # every kind of undoing was sent and compared


@pytest.mark.long
@pytest.mark.timeout(3600)
def test_many_random_command_sequences_through_the_apis(settings, tmp_path):
    assert _run(settings, tmp_path, examples=4, steps=30, derandomize=False) >= 60
