"""The envelope read from its written form equals what pydantic's full validation reads, for
every event of the publicity scenario and the envelope's optional fields; a record in any
other form is validated in full (accepted or refused as pydantic decides)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import orjson
import pytest
from pydantic import ValidationError

from shared.eventstore import RecordedEvent
from shared.messaging import written_form
from shared.messaging.kafka import decode, encode
from tests.integration.publicity.scenario import Scenario


def recorded(**overrides) -> RecordedEvent:
    fields = dict(event_id=uuid4(), type="Noted", schema_version=1, source="registry", stream_id="s-1",
                  stream_version=1, global_position=7, occurred_at=datetime(2021, 3, 1, 10, tzinfo=UTC),
                  recorded_at=datetime(2021, 3, 1, 10, 0, 1, 250_000, tzinfo=UTC), correlation_id=uuid4(),
                  actor="t", payload={"n": 1})
    return RecordedEvent(**(fields | overrides))


def scenario_events() -> list[RecordedEvent]:
    return [recorded(type=s.event.event_type, schema_version=s.event.version, source=s.source,
                     stream_id=s.stream_id, global_position=n, occurred_at=s.occurred_at,
                     payload=s.event.model_dump(mode="json"))
            for n, s in enumerate(Scenario().steps(), 1)]


ENVELOPES = [
    recorded(),
    recorded(causation_id=uuid4(), chain_hash="ab" * 32, global_position=None),
    recorded(occurred_at=datetime(2021, 3, 1, 18, 30, tzinfo=timezone(timedelta(hours=8)))),
    recorded(occurred_at=datetime(2021, 3, 1, 10, 0, 0, 1, tzinfo=UTC), payload={}),
]


@pytest.mark.parametrize("event", [*ENVELOPES, *scenario_events()], ids=lambda e: e.type)
def test_the_written_form_reads_as_pydantic_reads_it(event):
    value = encode(event)
    assert written_form.as_written(orjson.loads(value)) is not None  # the fast path, not the fallback
    fast, full = decode(value), RecordedEvent.model_validate_json(value)
    assert fast == full == event
    assert fast.model_dump() == full.model_dump()
    assert encode(fast) == value
    assert fast.decode() == full.decode()  # the contract model, upcast alike
    assert fast.occurred_at.utcoffset() == full.occurred_at.utcoffset()


def edited(**changes) -> bytes:
    return orjson.dumps(orjson.loads(encode(recorded())) | changes)


OTHER_FORMS = [
    edited(extra="ignored by the model"),
    edited(event_id="0bfdcb6165504335b2edb142fc979fb8"),
    edited(correlation_id="{0bfdcb61-6550-4335-b2ed-b142fc979fb8}"),
    edited(causation_id="not a uuid"),
    edited(schema_version="1"),
    edited(schema_version=True),
    edited(global_position=7.0),
    edited(occurred_at="2021-03-01"),
    edited(occurred_at="2021-03-01 10:00:00Z"),
    edited(occurred_at=1614592800),
    edited(recorded_at="2021-03-01T10:00:00,5Z"),
    edited(payload=[1]),
    edited(actor=None),
]


@pytest.mark.parametrize("value", OTHER_FORMS)
def test_any_other_form_is_validated_in_full(value):
    assert written_form.as_written(orjson.loads(value)) is None
    try:
        expected = RecordedEvent.model_validate_json(value)
    except ValidationError:
        with pytest.raises(ValidationError):
            decode(value)
    else:
        assert decode(value) == expected


def test_a_record_that_is_not_json_is_refused_as_before():
    with pytest.raises(ValidationError):
        decode(b"\xff not json")
