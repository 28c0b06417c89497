"""Records a projection would only pass over are held for company while more keep coming, so
that their offsets are noted by one statement instead of one per batch — but never for long:
a record that counts is handed over at once, and the hold ends with the burst, or after
``PASSED_OVER_HOLD`` seconds under a stream that never pauses (a day close waits for those
offsets: shared/messaging/batching.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import uuid4

from shared.eventstore import RecordedEvent
from shared.messaging.batching import PASSED_OVER_HOLD, hold_passed_over
from shared.messaging.kafka import event_type_in, headers_for
from shared.projections import Projection
from shared.worker import passed_over_by

SPACING = 0.01


class Stream:
    should_stop = False


def record(event_type: str):
    return SimpleNamespace(type=event_type)


def passed_over(event) -> bool:
    return event.type == "Other"


async def feed(events: list, every: float, count: int | None, then: str = "Other") -> None:
    """Append a record every ``every`` seconds (``count`` of them; None: until cancelled)."""
    n = 0
    while count is None or n < count:
        await asyncio.sleep(every)
        events.append(record(then))
        n += 1


async def timed(events: list, max_: int = 500, stream: Stream | None = None) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await hold_passed_over(stream or Stream(), events, passed_over, max_, SPACING)
    return loop.time() - started


async def test_a_record_that_counts_is_handed_over_at_once():
    assert await timed([record("Other"), record("Counted")]) < SPACING / 2


async def test_records_passed_over_are_held_while_more_keep_coming_and_handed_over_when_the_burst_ends():
    events = [record("Other")]
    feeding = asyncio.create_task(feed(events, SPACING / 3, 30))  # about 0.1 s of records, then none
    took = await timed(events)
    assert feeding.done() and len(events) == 31  # all of the burst in one batch
    assert took < 0.1 + 4 * SPACING + 0.1  # handed over within a spacing or so of its end


async def test_under_a_stream_that_never_pauses_the_hold_ends_after_its_bound():
    events = [record("Other")]
    feeding = asyncio.create_task(feed(events, SPACING / 3, None))
    try:
        took = await timed(events)
    finally:
        feeding.cancel()
    assert PASSED_OVER_HOLD - SPACING <= took < PASSED_OVER_HOLD + 0.15
    assert len(events) > 10


async def test_a_record_that_counts_arriving_during_the_hold_ends_it():
    events = [record("Other")]
    feeding = asyncio.create_task(feed(events, SPACING / 3, None))
    counted = asyncio.create_task(feed(events, 0.05, 1, then="Counted"))
    try:
        took = await timed(events)
    finally:
        feeding.cancel()
    assert counted.done() and any(e.type == "Counted" for e in events)
    assert 0.04 <= took < 0.05 + 2 * SPACING + 0.1


async def test_nothing_is_held_past_a_full_batch_or_a_stop():
    assert await timed([record("Other")] * 5, max_=5) < SPACING / 2
    events = [record("Other")]
    feeding = asyncio.create_task(feed(events, SPACING / 3, None))
    stream = Stream()
    asyncio.get_running_loop().call_later(0.03, setattr, stream, "should_stop", True)
    try:
        assert await timed(events, stream=stream) < 0.03 + 2 * SPACING + 0.1
    finally:
        feeding.cancel()


def delivered(event_type: str, source: str = "registry"):
    now = datetime.now(UTC)
    event = RecordedEvent(event_id=uuid4(), type=event_type, schema_version=1, source=source, stream_id="s-1",
                          stream_version=1, global_position=1, occurred_at=now, recorded_at=now,
                          correlation_id=uuid4(), actor="test", payload={})
    return SimpleNamespace(headers=headers_for(event, None))


class Handles(Projection):
    name = "handles"
    sources = ("registry",)
    tables = ()
    handles = frozenset({"VillageRegistered"})


class Everything(Projection):
    name = "everything"
    sources = ("registry",)
    tables = ()


def test_the_type_is_read_from_the_headers_the_relay_writes():
    assert event_type_in(delivered("CadrePresenceLogged").headers) == "CadrePresenceLogged"
    assert event_type_in(dict(delivered("LeaveApproved").headers)) == "LeaveApproved"
    assert event_type_in([]) is None and event_type_in(None) is None


def test_a_record_is_passed_over_only_when_its_headers_name_a_type_the_projection_does_not_handle():
    hint = passed_over_by(Handles())
    assert hint(delivered("CadrePresenceLogged")) is True
    assert hint(delivered("VillageRegistered")) is False
    assert hint(SimpleNamespace(headers=[])) is False  # no type named: it may count
    assert passed_over_by(Everything()) is None  # a projection of every type holds nothing
