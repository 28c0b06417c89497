"""A projection that names the event types it handles must change nothing for any other:
the runner passes over a batch of only those without opening a transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

import shared.contracts  # noqa: F401 - registers every service's events in the catalogue
from shared.eventstore import RecordedEvent
from shared.eventstore.catalogue import CATALOGUE
from services.assessment.projections import PROJECTIONS as ASSESSMENT
from services.funding.projections import PROJECTIONS as FUNDING
from services.monitoring.projections import PROJECTIONS as MONITORING
from services.publicity.projections import PROJECTIONS as PUBLICITY
from services.registry.projections import PROJECTIONS as REGISTRY

NAMING = [p for p in (*REGISTRY, *FUNDING, *ASSESSMENT, *PUBLICITY, *MONITORING) if p.handles is not None]


class Untouchable:
    """A connection that fails the test on any use."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the projection used the connection ({name}) for an event it does not handle")


def event_of(event_type: str, source: str) -> RecordedEvent:
    now = datetime.now(UTC)
    return RecordedEvent(event_id=uuid4(), type=event_type, schema_version=1, source=source, stream_id="s-1",
                         stream_version=1, global_position=1, occurred_at=now, recorded_at=now,
                         correlation_id=uuid4(), actor="test", payload={})


def test_some_projections_name_what_they_handle():
    assert {p.name for p in NAMING} >= {"village_directory", "registry_activity"}


@pytest.mark.parametrize("projection", NAMING, ids=lambda p: p.name)
async def test_events_outside_handles_change_nothing(projection):
    others = [t for t, cls in CATALOGUE.classes.items()
              if t not in projection.handles and cls.service in projection.sources]
    assert others, "no other event type of its sources to try"
    for event_type in others:
        source = CATALOGUE.classes[event_type].service
        await projection.apply_batch(Untouchable(), [event_of(event_type, source)])


@pytest.mark.parametrize("projection", NAMING, ids=lambda p: p.name)
def test_handles_names_only_known_event_types(projection):
    assert projection.handles <= set(CATALOGUE.classes)
