"""Property: an allocation's facts — allocated, requested on (and rejected), frozen,
unfrozen, paid on by exception, cancelled — lie on streams of their own (the allocation's,
each request's), so on partitions of their own, and reach the watch in any interleaving that
keeps each stream's order. Whatever the interleaving, the days the ``allocation.idle``
condition holds must be those the facts say: allocated, nothing requested on it by that day,
not cancelled, not frozen (unless unfrozen or paid on by exception since) — the scenario
model's rule (scenario/alerts.py), with the unfreeze's. A day's alert follows from those days.

Real PostgreSQL, the watch fed as the worker would be: each stream on a partition of its own,
global positions in the order funding recorded the facts."""

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
    """Funding's records of one case, stream by stream, each stream on a partition of its own
    of funding's topic; positions and offsets keep growing across cases (one database)."""

    positions = itertools.count(1)
    offsets: dict[int, itertools.count] = {}

    def __init__(self) -> None:
        self.streams: dict[str, list[RecordedEvent]] = {}
        self.partition_of: dict[str, int] = {}

    def add(self, stream_id: str, event_type: str, payload: dict, day: int) -> None:
        at = noon(START + timedelta(days=day))
        event = RecordedEvent(event_id=uuid4(), type=event_type, schema_version=1, source="funding",
                              stream_id=stream_id, stream_version=len(self.streams.get(stream_id, [])) + 1,
                              global_position=0, occurred_at=at, recorded_at=at, correlation_id=uuid4(),
                              actor="test", payload=payload)
        self.partition_of.setdefault(stream_id, len(self.partition_of))
        self.streams.setdefault(stream_id, []).append(event)

    def deliveries(self, order: list[str]) -> list[Delivery]:
        """Recorded in business-day order (positions), read in ``order``: the stream of each next record."""
        recorded = sorted((e for es in self.streams.values() for e in es), key=lambda e: e.occurred_at)
        position = {e.event_id: next(self.positions) for e in recorded}
        left = {s: list(es) for s, es in self.streams.items()}
        out = []
        for stream_id in order:
            event = left[stream_id].pop(0)
            partition = self.partition_of[stream_id]
            offset = next(self.offsets.setdefault(partition, itertools.count()))
            out.append(Delivery("funding.events", partition, offset,
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


async def held_days(m: MonitoringHarness, allocation_id: str) -> set[int]:
    rows = await m.fetch("select since, cleared_on from monitoring.conditions where rule_id = 'allocation.idle' "
                         "and subject_id = $1", allocation_id)
    return {d for d in range(LAST) for r in rows if r["since"] <= START + timedelta(days=d)
            and (r["cleared_on"] is None or r["cleared_on"] > START + timedelta(days=d))}


ids = itertools.count()


def test_the_idle_days_are_the_facts_whatever_order_the_streams_are_read_in(settings):
    loop = asyncio.new_event_loop()
    name, pool = loop.run_until_complete(fresh_store_pool(settings, "idleorder", max_size=4, chain=CHAIN))
    m = MonitoringHarness(pool)
    loop.run_until_complete(m.setup())
    checked = []

    async def deliver(f: Feed, order: list[str]) -> None:
        for d in f.deliveries(order):
            await m.apply(d)

    @hypothesis_settings(max_examples=60, deadline=None, database=None, derandomize=True,
                         suppress_health_check=[HealthCheck.too_slow])
    @given(case=cases(), data=st.data())
    def property_(case: Case, data) -> None:
        in_order, shuffled = f"a-{next(ids)}", f"a-{next(ids)}"
        f, g = feed(case, in_order), feed(case, shuffled)
        recorded = [e.stream_id for e in sorted((e for es in f.streams.values() for e in es),
                                                key=lambda e: e.occurred_at)]
        order = data.draw(st.permutations([s for s, es in g.streams.items() for _ in es]))
        loop.run_until_complete(deliver(f, recorded))
        loop.run_until_complete(deliver(g, order))
        want = case.held()
        assert loop.run_until_complete(held_days(m, in_order)) == want
        assert loop.run_until_complete(held_days(m, shuffled)) == want, f"read in the order {order}"
        checked.append(case)

    try:
        property_()
        assert len(checked) >= 50 and any(c.freeze for c in checked) and any(len(c.requests) > 1 for c in checked)
    finally:
        loop.run_until_complete(dispose(settings, name, pool))
        loop.close()
