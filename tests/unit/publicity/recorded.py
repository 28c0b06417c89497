"""Events as a projection receives them: recorded, with their payload as stored, decoded on the way in."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import shared.contracts  # noqa: F401 - registers every service's events in the catalogue
from shared.eventstore import RecordedEvent
from shared.eventstore.catalogue import CATALOGUE

from services.publicity.projections.facts import Fact, facts_of_recorded


def recorded(event_type: str, payload: dict, version: int | None = None) -> RecordedEvent:
    cls = CATALOGUE.classes.get(event_type)
    now = datetime.now(UTC)
    return RecordedEvent(event_id=uuid4(), type=event_type, schema_version=version or (cls.version if cls else 1),
                         source=cls.service if cls else "registry", stream_id="s-1", stream_version=1,
                         global_position=1, occurred_at=now, recorded_at=now, correlation_id=uuid4(), actor="test",
                         payload=payload)


def facts_of(event_type: str, payload: dict, version: int | None = None) -> list[Fact]:
    """The facts of an event recorded with this payload (at ``version``, default the current one)."""
    return facts_of_recorded(recorded(event_type, payload, version))
