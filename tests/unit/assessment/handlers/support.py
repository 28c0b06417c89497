"""An in-memory unit of work on a business day, and history given from aggregates built by the domain tests."""

from __future__ import annotations

from datetime import date, datetime, time

from shared.dates import BEIJING
from shared.eventstore import Aggregate, CommandMeta
from shared.eventstore.memory import InMemoryUnitOfWork
from shared.identity import Principal, Role

CITY_ASSESSOR = Principal(subject="zhao", role=Role.assessor)
OTHER_DISTRICT_ASSESSOR = Principal(subject="qian", role=Role.assessor, district="120110")
CITY_INSPECTOR = Principal(subject="zhao", role=Role.inspector)
CITY_OFFICE = Principal(subject="wu", role=Role.city_office)


def unit_on(day: date, *history: Aggregate) -> InMemoryUnitOfWork:
    """A unit whose commands happen on ``day`` (Beijing), starting from ``history``'s pending events."""
    uow = InMemoryUnitOfWork(CommandMeta(actor="test", occurred_at=datetime.combine(day, time(10), tzinfo=BEIJING)))
    for aggregate in history:
        uow.given(type(aggregate), aggregate.key, aggregate.pending)
    return uow
