"""Properties: the facts of a condition that lie on several streams, read in any order.

An allocation's facts — allocated, requested on (and rejected), frozen,
unfrozen, paid on by exception, cancelled — lie on streams of their own (the allocation's,
each request's), so on partitions of their own, and reach the watch in any interleaving that
keeps each stream's order. Whatever the interleaving, the days the ``allocation.idle``
condition holds must be those the facts say: allocated, nothing requested on it by that day,
not cancelled, not frozen (unless unfrozen or paid on by exception since) — the scenario
model's rule (scenario/alerts.py), with the unfreeze's. A day's alert follows from those days.

A village's designation (its stream) and the teams serving it (each team's stream): whatever
the interleaving, ``village.without_team`` holds on the days the village is designated and
no team serves it at the day's end (the scenario model's rule).

Real PostgreSQL, the watch fed as the worker would be: each stream on a partition of its own,
global positions in the order the facts were recorded."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shared.eventstore import RecordedEvent
from shared.messaging.kafka import encode
from shared.projections import Delivery

from services.monitoring.adapters.schema import CHAIN
from tests.integration.monitoring.conftest import MonitoringHarness, noon
from tests.support.db import dispose, fresh_store_pool

START = date(2022, 1, 1)
VILLAGE, DISTRICT = "120119000001", "120119"
LAST = 160  # days after START looked at


@dataclass(frozen=True)
class Case:
    allocated: int
    freeze: tuple[int, int | None, str] | None  # frozen on, made fundable again on (None: never), by what
    cancelled: int | None
    requests: tuple[tuple[int, int | None], ...]  # each: requested on, rejected on

    def frozen(self, day: int) -> bool:
        if self.freeze is None:
            return False
        on, again, _ = self.freeze
        return on <= day and (again is None or day < again)

    def held(self) -> set[int]:
        """The days the condition holds, from the facts alone."""
        return {d for d in range(LAST) if self.allocated <= d and not any(r <= d for r, _ in self.requests)
                and (self.cancelled is None or d < self.cancelled) and not self.frozen(d)}


@st.composite
def cases(draw) -> Case:
    allocated = draw(st.integers(0, 10))
    freeze = None
    if draw(st.booleans()):
        on = draw(st.integers(allocated + 1, 60))
        again = draw(st.one_of(st.none(), st.integers(on + 1, 100)))
        freeze = (on, again, draw(st.sampled_from(["AllocationUnfrozen", "FreezeExceptionRecorded"])))
    cancelled = draw(st.one_of(st.none(), st.integers(allocated + 1, 150)))
    if freeze is not None and cancelled is not None and cancelled <= max(freeze[0], freeze[1] or 0):
        cancelled = None
    # Money is asked for only while the allocation may be drawn on: allocated, not frozen, not cancelled.
    open_days = [d for d in range(allocated, cancelled or LAST) if not Case(allocated, freeze, None, ()).frozen(d)]
    days = draw(st.lists(st.sampled_from(open_days), max_size=3))
    requests = tuple((d, draw(st.one_of(st.none(), st.integers(d, d + 20)))) for d in days)
    return Case(allocated, freeze, cancelled, requests)


class Feed:
    """A service's records of one case, stream by stream, each stream on a partition of its own
    of the service's topic; positions and offsets keep growing across cases (one database)."""

    positions: dict[str, itertools.count] = {}
    offsets: dict[tuple[str, int], itertools.count] = {}

    def __init__(self, source: str = "funding") -> None:
        self.source = source
        self.streams: dict[str, list[RecordedEvent]] = {}
        self.partition_of: dict[str, int] = {}

    def add(self, stream_id: str, event_type: str, payload: dict, day: int) -> None:
        at = noon(START + timedelta(days=day))
        event = RecordedEvent(event_id=uuid4(), type=event_type, schema_version=1, source=self.source,
                              stream_id=stream_id, stream_version=len(self.streams.get(stream_id, [])) + 1,
                              global_position=0, occurred_at=at, recorded_at=at, correlation_id=uuid4(),
                              actor="test", payload=payload)
        self.partition_of.setdefault(stream_id, len(self.partition_of))
        self.streams.setdefault(stream_id, []).append(event)

    def deliveries(self, order: list[str]) -> list[Delivery]:
        """Recorded in business-day order (positions), read in ``order``: the stream of each next record."""
        recorded = sorted((e for es in self.streams.values() for e in es), key=lambda e: e.occurred_at)
        positions = self.positions.setdefault(self.source, itertools.count(1))
        position = {e.event_id: next(positions) for e in recorded}
        left = {s: list(es) for s, es in self.streams.items()}
        out = []
        for stream_id in order:
            event = left[stream_id].pop(0)
            partition = self.partition_of[stream_id]
            offset = next(self.offsets.setdefault((self.source, partition), itertools.count()))
            out.append(Delivery(f"{self.source}.events", partition, offset,
                                encode(event.model_copy(update={"global_position": position[event.event_id]})), {}))
        return out


def feed(case: Case, allocation_id: str) -> Feed:
    f, ids = Feed(), {"allocation_id": allocation_id, "line_id": "l-1", "village_code": VILLAGE}
    stream = f"allocation-{allocation_id}"
    f.add(stream, "FundsAllocated", ids | {"source": "city_special", "fiscal_year": 2022, "district": DISTRICT,
                                           "amount_fen": 1_000_000}, case.allocated)
    if case.freeze is not None:
        on, again, how = case.freeze
        f.add(stream, "AllocationFrozen", ids | {"district": DISTRICT, "unspent_fen": 1_000_000}, on)
        if again is not None:
            f.add(stream, how, ids | ({"reason": "例外 / exception"} if how == "FreezeExceptionRecorded" else {}), again)
    if case.cancelled is not None:
        f.add(stream, "AllocationCancelled", ids | {"released_fen": 1_000_000, "reason": "取消 / cancelled"},
              case.cancelled)
    for n, (on, rejected) in enumerate(case.requests):
        d = f"{allocation_id}-d{n}"
        money = {"disbursement_id": d, "allocation_id": allocation_id, "village_code": VILLAGE, "district": DISTRICT,
                 "amount_fen": 100_000}
        f.add(f"disbursement-{d}", "DisbursementRequested", money | {"line_id": "l-1", "source": "city_special"}, on)
        if rejected is not None:
            f.add(f"disbursement-{d}", "DisbursementRejected", money | {"reason": "材料不全"}, rejected)
    return f


async def held_days(m: MonitoringHarness, subject_id: str, rule_id: str = "allocation.idle") -> set[int]:
    rows = await m.fetch("select since, cleared_on from monitoring.conditions where rule_id = $1 "
                         "and subject_id = $2", rule_id, subject_id)
    return {d for d in range(LAST) for r in rows if r["since"] <= START + timedelta(days=d)
            and (r["cleared_on"] is None or r["cleared_on"] > START + timedelta(days=d))}


@dataclass(frozen=True)
class Team:
    """A team's spells serving the village, in order: (first day, how it began, last day or
    None, how it ended)."""
    team_id: str
    spells: tuple[tuple[int, str, int | None, str], ...]


@dataclass(frozen=True)
class Village:
    designated: tuple[tuple[int, int | None], ...]  # each: designated on, revoked on
    teams: tuple[Team, ...]

    def held(self) -> set[int]:
        def served(d: int) -> bool:
            return any(a <= d and (b is None or d < b) for t in self.teams for a, _, b, _ in t.spells)
        return {d for d in range(LAST) for a, b in self.designated if a <= d and (b is None or d < b)
                and not served(d)}


@st.composite
def villages(draw) -> Village:
    first = draw(st.integers(0, 20))
    designated: list[tuple[int, int | None]] = [(first, draw(st.one_of(st.none(), st.integers(first + 1, 120))))]
    if designated[0][1] is not None and designated[0][1] < 120 and draw(st.booleans()):
        again = draw(st.integers(designated[0][1] + 1, 140))
        designated.append((again, None))
    teams = []
    for n in range(draw(st.integers(0, 3))):
        spells, day = [], draw(st.integers(0, 40))
        for _ in range(draw(st.integers(1, 2))):
            began = draw(st.sampled_from(["TeamAssigned", "rotated"]))
            end = draw(st.one_of(st.none(), st.integers(day, day + 60)))
            ended = draw(st.sampled_from(["TeamUnassigned", "rotated", "TeamDissolved"]))
            spells.append((day, began, end, ended))
            if end is None or ended == "TeamDissolved":
                break
            day = draw(st.integers(end, end + 30))
        teams.append(Team(f"t{n}", tuple(spells)))
    return Village(tuple(designated), tuple(teams))


def village_feed(v: Village, code: str) -> Feed:
    """Registry's records: the village's on its stream, each team's on its own, as registry
    records them (a rotation: the team's TeamUnassigned or TeamAssigned, then TeamRotated; a
    dissolution: TeamUnassigned, then TeamDissolved)."""
    f, where = Feed("registry"), {"district": DISTRICT}
    for on, off in v.designated:
        f.add(f"village-{code}", "VillageDesignated", {"code": code, "run_id": "run-1", "rank": 1, "average_fen": 1}
              | where, on)
        if off is not None:
            f.add(f"village-{code}", "DesignationRevoked", {"code": code, "run_id": None, "reason": "出列"} | where, off)
    for t in v.teams:
        stream, team = f"team-{code}-{t.team_id}", {"team_id": f"{code}-{t.team_id}"} | where
        rotated = {"reason": "轮换", "villages": []}
        for on, began, off, ended in t.spells:
            f.add(stream, "TeamAssigned", team | {"lead_unit_id": "u-1", "village_code": code, "reason": "r"}, on)
            if began == "rotated":
                f.add(stream, "TeamRotated", team | rotated | {"left": [], "joined": [code]}, on)
            if off is None:
                continue
            f.add(stream, "TeamUnassigned", team | {"village_code": code, "reason": "r"}, off)
            if ended == "rotated":
                f.add(stream, "TeamRotated", team | rotated | {"left": [code], "joined": []}, off)
            elif ended == "TeamDissolved":
                f.add(stream, "TeamDissolved", team | {
                    "lead_unit_id": "u-1", "partner_unit_ids": [], "member_ids": [], "first_secretary_id": "c-1",
                    "villages": [code], "reason": "解散", "dissolved_on": (START + timedelta(days=off)).isoformat()}, off)
    return f


ids = itertools.count()


def read_in_any_order(settings, strategy, feed_of, subject_of, rule_id: str) -> list:
    """Each drawn case twice, under two subjects: its records read in the order they were
    recorded, and in an interleaving that keeps each stream's order. Both must hold on the
    case's days. The cases checked."""
    loop = asyncio.new_event_loop()
    name, pool = loop.run_until_complete(fresh_store_pool(settings, "readorder", max_size=4, chain=CHAIN))
    m = MonitoringHarness(pool)
    loop.run_until_complete(m.setup())
    checked: list = []

    async def deliver(f: Feed, order: list[str]) -> None:
        for d in f.deliveries(order):
            await m.apply(d)

    @hypothesis_settings(max_examples=60, deadline=None, database=None, derandomize=True,
                         suppress_health_check=[HealthCheck.too_slow])
    @given(case=strategy, data=st.data())
    def property_(case, data) -> None:
        in_order, shuffled = subject_of(next(ids)), subject_of(next(ids))
        f, g = feed_of(case, in_order), feed_of(case, shuffled)
        recorded = [e.stream_id for e in sorted((e for es in f.streams.values() for e in es),
                                                key=lambda e: e.occurred_at)]
        order = data.draw(st.permutations([s for s, es in g.streams.items() for _ in es]))
        loop.run_until_complete(deliver(f, recorded))
        loop.run_until_complete(deliver(g, order))
        want = case.held()
        assert loop.run_until_complete(held_days(m, in_order, rule_id)) == want
        assert loop.run_until_complete(held_days(m, shuffled, rule_id)) == want, f"read in the order {order}"
        checked.append(case)

    try:
        property_()
    finally:
        loop.run_until_complete(dispose(settings, name, pool))
        loop.close()
    return checked


def test_the_idle_days_are_the_facts_whatever_order_the_streams_are_read_in(settings):
    checked = read_in_any_order(settings, cases(), feed, lambda n: f"a-{n}", "allocation.idle")
    assert len(checked) >= 50 and any(c.freeze for c in checked) and any(len(c.requests) > 1 for c in checked)


def test_the_days_without_a_team_are_the_facts_whatever_order_the_streams_are_read_in(settings):
    checked = read_in_any_order(settings, villages(), village_feed, lambda n: f"{DISTRICT}{n:06d}",
                                "village.without_team")
    assert len(checked) >= 50 and any(len(v.teams) > 1 for v in checked) and any(len(v.designated) > 1
                                                                                   for v in checked)
