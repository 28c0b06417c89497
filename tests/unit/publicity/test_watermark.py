"""The note a batch leaves per source is the one its highest position would leave, as noting
each event in turn would: records of several partitions arrive interleaved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from shared.eventstore import RecordedEvent

from services.publicity.projections.watermark import Watermarked


def event(source: str, position: int) -> RecordedEvent:
    at = datetime(2021, 1, 1, tzinfo=UTC) + timedelta(minutes=position)
    return RecordedEvent(event_id=uuid4(), type="X", schema_version=1, source=source, stream_id="s", stream_version=1,
                         global_position=position, occurred_at=at, recorded_at=at, correlation_id=uuid4(),
                         actor="t", payload={})


def test_highest_position_per_source_not_the_last_delivered():
    batch = [event("registry", 5), event("funding", 2), event("registry", 3), event("funding", 7)]
    notes = Watermarked.last_per_source(batch)
    assert sorted((e.source, e.global_position) for e in notes) == [("funding", 7), ("registry", 5)]


def test_no_events_no_notes():
    assert Watermarked.last_per_source([]) == []
