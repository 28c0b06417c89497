"""Model-based: random forward and undoing events against a reference model of the contracts.

A small world (30 villages in 3 districts, 3 units, 4 teams, 2 budget lines, 8 low-income
people) takes random steps — designate and revoke, assign and unassign, members and first
secretaries changed, cadres trained, allocate, adjust and cancel, request, approve, reject, pay
and reverse, budget lines adjusted, incomes reported and corrected (some back-dated),
eligibility recorded and withdrawn, cover recorded and ended — fed through the projections into
the real PostgreSQL, as Kafka deliveries would be. After every step publicity's headline,
designation, coverage, money, income and low-income figures, now and as of an earlier date, must equal
what ``Reference`` computes from the events alone: it replays them in business-time order, as
the contracts describe them, knowing nothing of facts or SQL.

Fixed seed (``derandomize``) and bounded steps, so that it runs in ``make test`` in well under
a minute.
"""

from __future__ import annotations

import asyncio
import os
import random
from datetime import date, timedelta

from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from shared.privacy.cipher import new_data_key, seal
from shared.contracts import assessment as A
from shared.contracts import funding as F
from shared.contracts import registry as R
from shared.eventstore import DomainEvent

from services.publicity.adapters.schema import CHAIN
from services.publicity.domain.asof import parse_as_of
from services.publicity.projections import PROJECTIONS
from services.publicity.queries import designation, headline, income, low_income, money, network
from services.publicity.queries.figures import total
from tests.integration.publicity.model import Feeder
from tests.integration.publicity.scenario import Step, at
from tests.support import reference_model
from tests.support.db import dispose, fresh_store_pool
from tests.support.reference_model import State

DISTRICTS = ("120111", "120114", "120119")
VILLAGES = [f"{d}77{i:04d}" for d in DISTRICTS for i in range(10)]
TEAMS = [f"team-{i}" for i in range(4)]
CADRES = {t: [f"cadre-{i}-{j}" for j in range(3)] for i, t in enumerate(TEAMS)}
UNITS = ("unit-city", "unit-120114", "unit-120119")
LINES = {"line-city": None, "line-120114": "120114"}
PEOPLE = [f"person-{i}" for i in range(8)]
COVERS = ("medical_insurance", "education_aid", "housing_renovation")
START = date(2021, 3, 1)
# Personal fields are sealed as the owning services seal them; publicity never opens them.
KEY = new_data_key()
NOW = "2030-01-01"


def person_village(person: str) -> str:
    return VILLAGES[int(person.split("-")[1]) * 3 % len(VILLAGES)]


# ----------------------------------------------------------------------------------------
# The reference model (tests/support/reference_model.py): what this world's figures must be.


class Reference(reference_model.Reference):
    def figures(self, on: date) -> dict:
        return reference_model.figures(self.state(on), registered=len(VILLAGES), districts=DISTRICTS, teams=TEAMS)


async def published(conn, day: str) -> dict:
    """The same figures as publicity answers them."""
    asof = parse_as_of(day, now=None)  # type: ignore[arg-type]
    answers = [await headline.headline(conn, asof), await designation.summary(conn, asof),
               await network.coverage(conn, asof), await money.money(conn, asof),
               await income.income(conn, asof), await low_income.low_income(conn, asof)]
    return reference_model.published(*answers, int(await total(conn, "cadres_stationed", asof)), DISTRICTS)


# ----------------------------------------------------------------------------------------
# The machine: random steps, each fed to the projections and to the reference.

SOURCE = {R: "registry", F: "funding", A: "assessment"}


def source_of(event: DomainEvent) -> str:
    return next(s for module, s in SOURCE.items() if type(event).__module__ == module.__name__)


class Publicity(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    pool: object
    checks = 0
    seen: set[str] = set()  # the event types fed, over all examples

    def __init__(self):
        super().__init__()
        self.ref = Reference()
        self.day = START
        self.days: list[date] = [START]
        self.serial = 0

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def emit(self, *events: DomainEvent, day: date | None = None) -> None:
        when = day or self.day
        for e in events:
            self.ref.add(when, e)
            self.seen.add(type(e).__name__ + ("" if getattr(e, "eligible", True) else ":withdrawn"))
        self.run(self.feeder.feed([Step(source_of(e), "s", at(when.isoformat()), e) for e in events]))

    def now(self) -> State:
        return self.ref.state(self.day)

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    @initialize(designated=st.lists(st.sampled_from(VILLAGES), min_size=4, max_size=12, unique=True))
    def world(self, designated):
        """The forward world: designated villages, a team in each of the first four, an allocation
        with one payment and one request for each of the first three, people eligible and some covered."""
        async def reset():
            tables = [t for p in PROJECTIONS for t in p.tables] + ["proj.positions"]
            async with self.pool.acquire() as conn:
                await conn.execute(f"truncate {', '.join(tables)} restart identity")
        self.run(reset())
        self.feeder = Feeder(self.pool)
        events: list[DomainEvent] = [R.VillageRegistered(
            code=v, name=f"村{v[-4:]}", district=v[:6], town="镇", village_type="agriculture",
            income_fen={"2018": 1, "2019": 1, "2020": 1}) for v in VILLAGES]
        events += [R.UnitRegistered(unit_id=u, name=u, level="city" if u == "unit-city" else "district",
                                    district=None if u == "unit-city" else u[-6:], strengths=["agriculture"])
                   for u in UNITS]
        for i, team in enumerate(TEAMS):
            first, *others = CADRES[team]
            events += [R.CadreRegistered(cadre_id=c, unit_id=UNITS[i % 3], name=seal(KEY, f"cadre-{c}", "某"),
                                           title=seal(KEY, f"cadre-{c}", "某"))
                       for c in CADRES[team]]
            events.append(R.WorkTeamFormed(team_id=team, lead_unit_id=UNITS[i % 3], partner_unit_ids=[],
                                           member_ids=others[:1], first_secretary_id=first,
                                           district=DISTRICTS[i % 3]))
        events += [F.BudgetAppropriated(line_id=line, source="city_special" if scope is None else "district",
                                        fiscal_year=2021, scope=scope or "city", title=line, amount_fen=50_000_000)
                   for line, scope in LINES.items()]
        events.append(F.AppropriationAdjusted(line_id="line-120114", amount_fen=40_000_000, previous_fen=50_000_000,
                                              reason="调减 / cut"))  # one line already cut, whatever the draws
        events += [A.LowIncomePersonRegistered(person_id=p, household_id=f"h-{p}", village_code=person_village(p),
                                               district=person_village(p)[:6]) for p in PEOPLE]
        events += [R.VillageDesignated(code=v, district=v[:6], run_id="run-1", rank=1, average_fen=1)
                   for v in designated]
        events += [R.TeamAssigned(team_id=t, lead_unit_id="u", village_code=v, district=v[:6], reason="对接")
                   for t, v in zip(TEAMS, designated, strict=False)]
        for n, v in enumerate(designated[:3]):
            alloc, paid, waiting = self.next_id("alloc"), self.next_id("disb"), self.next_id("disb")
            events.append(F.FundsAllocated(allocation_id=alloc, line_id="line-city", source="city_special",
                                           fiscal_year=2021, village_code=v, district=v[:6], amount_fen=3_000_000))
            common = dict(allocation_id=alloc, village_code=v, district=v[:6])
            events += [F.DisbursementRequested(disbursement_id=paid, line_id="line-city", source="city_special",
                                               amount_fen=1_000_000, **common),
                       F.DisbursementApproved(disbursement_id=paid, amount_fen=1_000_000, **common),
                       F.DisbursementPaid(disbursement_id=paid, line_id="line-city", source="city_special",
                                          amount_fen=1_000_000, paid_on=START, voucher_no="v", **common)]
            if n < 2:
                events.append(F.DisbursementRequested(disbursement_id=waiting, line_id="line-city",
                                                      source="city_special", amount_fen=500_000, **common))
            else:  # and one request already turned down, whatever the draws do later
                events += [F.DisbursementRequested(disbursement_id=waiting, line_id="line-city",
                                                   source="city_special", amount_fen=500_000, **common),
                           F.DisbursementRejected(disbursement_id=waiting, amount_fen=500_000, reason="驳回", **common)]
        for n, p in enumerate(PEOPLE):
            v = person_village(p)
            cover = COVERS[n % 3]
            events.append(A.EligibilityRecorded(person_id=p, village_code=v, district=v[:6], cover=cover,
                                                eligible=True))
            if n % 2:
                events.append(A.CoverageRecorded(person_id=p, village_code=v, district=v[:6], cover=cover,
                                                 covered_on=START))
        self.emit(*events)

    @rule(days=st.integers(1, 40))
    def time_passes(self, days):
        self.day += timedelta(days=days)
        self.days.append(self.day)

    # -- registry ---------------------------------------------------------------------------

    @rule(village=st.sampled_from(VILLAGES))
    def designate_or_revoke(self, village):
        if village in self.now().designated:
            self.emit(R.DesignationRevoked(code=village, district=village[:6], run_id=None, reason="撤销"))
        else:
            self.emit(R.VillageDesignated(code=village, district=village[:6], run_id="run-2", rank=1, average_fen=1))

    @rule(team=st.sampled_from(TEAMS), pick=st.integers(0, 1000))
    def assign_or_unassign(self, team, pick):
        s = self.now()
        if team in s.dissolved:
            return
        mine = sorted(v for t, v in s.assigned if t == team)
        free = sorted(s.designated - set(mine))
        if mine and (len(mine) == 2 or not free or pick % 2):
            v = mine[pick % len(mine)]
            self.emit(R.TeamUnassigned(team_id=team, village_code=v, district=v[:6], reason="轮换"))
        elif free:
            v = free[pick % len(free)]
            self.emit(R.TeamAssigned(team_id=team, lead_unit_id="u", village_code=v, district=v[:6], reason="对接"))

    @rule(team=st.sampled_from(TEAMS), cadre=st.integers(0, 2), new_secretary=st.booleans())
    def change_members(self, team, cadre, new_secretary):
        s = self.now()
        if team in s.dissolved:
            return
        who, secretary = CADRES[team][cadre], s.secretary[team]
        if new_secretary and who != secretary:
            self.emit(R.TeamMembersChanged(team_id=team, added=[who], removed=[secretary], first_secretary_id=who))
        elif who != secretary:
            active = who in s.members[team]
            self.emit(R.TeamMembersChanged(team_id=team, added=[] if active else [who],
                                           removed=[who] if active else [], first_secretary_id=secretary))

    @precondition(lambda self: not self.now().dissolved)  # one a world: the others keep the network busy
    @rule(team=st.sampled_from(TEAMS))
    def dissolve(self, team):
        """As registry appends it: the team's assignments end, then the team, its members freed."""
        s = self.now()
        villages = sorted(v for t, v in s.assigned if t == team)
        i = TEAMS.index(team)
        self.emit(*(R.TeamUnassigned(team_id=team, village_code=v, district=v[:6], reason="撤销") for v in villages),
                  R.TeamDissolved(team_id=team, district=DISTRICTS[i % 3], lead_unit_id=UNITS[i % 3],
                                  partner_unit_ids=[], member_ids=sorted(s.members[team]),
                                  first_secretary_id=s.secretary[team], villages=villages, dissolved_on=self.day,
                                  reason="撤销"))

    @rule(team=st.sampled_from(TEAMS), cadre=st.integers(0, 2))
    def train(self, team, cadre):
        self.emit(R.CadreTrained(cadre_id=CADRES[team][cadre], course="集中培训", completed_on=self.day))

    # -- funding ----------------------------------------------------------------------------

    @rule(pick=st.integers(0, 1000), line=st.sampled_from(sorted(LINES)), amount=st.integers(1, 50))
    def allocate(self, pick, line, amount):
        designated = sorted(self.now().designated)
        if designated:
            v = designated[pick % len(designated)]
            self.emit(F.FundsAllocated(allocation_id=self.next_id("alloc"), line_id=line, source="city_special",
                                       fiscal_year=2021, village_code=v, district=v[:6], amount_fen=amount * 100_000))

    @staticmethod
    def _pick_open(s: State, pick: int) -> tuple[str, dict, list[str]] | None:
        """The open allocation ``pick`` chooses, its figures and every open one; None while there is none."""
        open_ = sorted(i for i, a in s.allocations.items() if not a["released"] and a["amount"] > 0)
        if not open_:
            return None
        i = open_[pick % len(open_)]
        return i, s.allocations[i], open_

    @staticmethod
    def _committed(s: State, allocation: str) -> int:
        """What an allocation's requests hold: requested, approved or paid."""
        return sum(d["amount"] for d in s.disbursements.values()
                   if d["allocation"] == allocation and d["status"] in ("requested", "approved", "paid"))

    @rule(pick=st.integers(0, 1000), amount=st.integers(1, 50), cancel=st.booleans())
    def adjust_or_cancel(self, pick, amount, cancel):
        s = self.now()
        if (picked := self._pick_open(s, pick)) is None:
            return
        i, a, open_ = picked
        spent = self._committed(s, i)
        if cancel:
            # Only an allocation with no request waiting can be cancelled; it releases what was not paid.
            quiet = [j for j in open_ if not any(d["allocation"] == j and d["status"] in ("requested", "approved")
                                                 for d in s.disbursements.values())]
            if quiet:
                i = quiet[pick % len(quiet)]
                a = s.allocations[i]
                spent = sum(d["amount"] for d in s.disbursements.values() if d["allocation"] == i
                            and d["status"] == "paid")
                self.emit(F.AllocationCancelled(allocation_id=i, line_id="l", village_code=a["village"],
                                                released_fen=a["amount"] - spent, reason="取消"))
        else:
            self.emit(F.AllocationAdjusted(allocation_id=i, line_id="l", village_code=a["village"],
                                           amount_fen=max(spent, amount * 100_000), previous_fen=a["amount"],
                                           reason="调整"))

    @rule(pick=st.integers(0, 1000), share=st.integers(1, 100))
    def request(self, pick, share):
        s = self.now()
        if (picked := self._pick_open(s, pick)) is None:
            return
        i, a, _ = picked
        amount = (a["amount"] - self._committed(s, i)) * share // 100
        if amount > 0:
            self.emit(F.DisbursementRequested(disbursement_id=self.next_id("disb"), allocation_id=i, line_id="l",
                                              source="city_special", village_code=a["village"],
                                              district=a["village"][:6], amount_fen=amount))

    @rule(pick=st.integers(0, 1000), choice=st.integers(0, 9))
    def decide(self, pick, choice):
        """The next step of a disbursement: approve or reject a request, pay, or reverse a payment."""
        s = self.now()
        live = sorted(i for i, d in s.disbursements.items() if d["status"] in ("requested", "approved", "paid"))
        if not live:
            return
        i = live[pick % len(live)]
        d = s.disbursements[i]
        common = dict(disbursement_id=i, allocation_id=d["allocation"], village_code=d["village"],
                      district=d["village"][:6], amount_fen=d["amount"])
        if d["status"] == "requested":
            self.emit(F.DisbursementRejected(reason="驳回", **common) if choice < 3
                      else F.DisbursementApproved(**common))
        elif d["status"] == "approved":
            self.emit(F.DisbursementPaid(line_id="l", source="city_special", paid_on=self.day, voucher_no="v",
                                         **common))
        elif choice < 8:
            self.emit(F.DisbursementReversed(line_id="l", source="city_special", reason="冲销", **common))

    @rule(line=st.sampled_from(sorted(LINES)), amount=st.integers(1, 100))
    def adjust_line(self, line, amount):
        previous = self.now().lines[line]
        self.emit(F.AppropriationAdjusted(line_id=line, amount_fen=amount * 1_000_000, previous_fen=previous,
                                          reason="调整"))

    # -- assessment -------------------------------------------------------------------------

    @rule(village=st.sampled_from(VILLAGES), year=st.sampled_from([2021, 2022]),
          yuan_=st.integers(100_000, 300_000), back=st.integers(0, 60))
    def report_income(self, village, year, yuan_, back):
        """A report or its correction, sometimes recorded with an earlier business date."""
        when = max(START, self.day - timedelta(days=back))
        self.emit(A.CollectiveIncomeReported(village_code=village, district=village[:6], year=year,
                                             income_fen=yuan_ * 100), day=when)

    @rule(person=st.sampled_from(PEOPLE), cover=st.sampled_from(COVERS), eligible=st.booleans())
    def eligibility(self, person, cover, eligible):
        v = person_village(person)
        self.emit(A.EligibilityRecorded(person_id=person, village_code=v, district=v[:6], cover=cover,
                                        eligible=eligible))

    @rule(person=st.sampled_from(PEOPLE), cover=st.sampled_from(COVERS), pick=st.integers(0, 1000),
          end=st.booleans())
    def cover_or_end(self, person, cover, pick, end):
        covered = sorted(k for k, yes in self.now().covered.items() if yes)
        if end and covered:
            person, cover = covered[pick % len(covered)]
            v = person_village(person)
            self.emit(A.CoverageEnded(person_id=person, village_code=v, district=v[:6], cover=cover,
                                      ended_on=self.day, reason=seal(KEY, f"person-{person}", "终止")))
        else:
            v = person_village(person)
            self.emit(A.CoverageRecorded(person_id=person, village_code=v, district=v[:6], cover=cover,
                                         covered_on=self.day))

    # -- the comparison ---------------------------------------------------------------------

    @invariant()
    def figures_agree_now_and_before(self):
        type(self).checks += 1
        earlier = random.Random(len(self.ref.events)).choice(self.days[:-1] or self.days)
        async def both():
            async with self.pool.acquire() as conn:
                return await published(conn, NOW), await published(conn, earlier.isoformat())
        now, before = self.run(both())
        assert now == self.ref.figures(date.fromisoformat(NOW))
        assert before == self.ref.figures(earlier), f"as of {earlier}"


def test_figures_follow_random_forward_and_undo_steps_as_the_reference_says(settings):
    # Hypothesis drives the machine synchronously: the database work runs on a loop of its own.
    loop = asyncio.new_event_loop()
    name, pool = loop.run_until_complete(fresh_store_pool(settings, "pubmodel", max_size=2, chain=CHAIN))
    try:
        Publicity.loop, Publicity.pool, Publicity.checks, Publicity.seen = loop, pool, 0, set()
        run_state_machine_as_test(Publicity, settings=HYPOTHESIS)
        # The comparison really ran, many times, and over every kind of undoing event.
        assert Publicity.checks >= 100
        undoing = {"DesignationRevoked", "TeamUnassigned", "TeamMembersChanged", "TeamDissolved", "DisbursementRejected",
                   "DisbursementReversed", "AllocationAdjusted", "AllocationCancelled", "AppropriationAdjusted",
                   "CoverageEnded", "EligibilityRecorded:withdrawn"}
        assert undoing - Publicity.seen == set()
    finally:
        loop.run_until_complete(dispose(settings, name, pool))
        loop.close()


# No shrinking by default: each example costs seconds, and shrinking one can outlast the test's
# timeout. The failing steps are printed all the same; XINGCUN_SHRINK=1 shrinks them.
HYPOTHESIS = hypothesis_settings(
    max_examples=10, stateful_step_count=40, derandomize=True, deadline=None, database=None,
    phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if os.environ.get("XINGCUN_SHRINK") else [])],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
