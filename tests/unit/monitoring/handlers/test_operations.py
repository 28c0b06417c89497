"""Operations alerts through the handlers, without PostgreSQL: a record held aside raises one
alert, however often it is noticed, and its retry clears it."""

from __future__ import annotations

from datetime import date

from shared.contracts.monitoring import AlertRaised, AlertResolved
from shared.eventstore.memory import InMemoryUnitOfWork
from shared.messaging.quarantine_notice import QuarantineNotice

from services.monitoring.handlers.operations import QUARANTINED, quarantine_noticed

DAY = date(2022, 5, 17)


def notice(status: str) -> QuarantineNotice:
    return QuarantineNotice("statistics", "registry.events", 2, 41, status)  # type: ignore[arg-type]


async def test_a_held_record_raises_one_alert_and_its_retry_clears_it():
    uow = InMemoryUnitOfWork()
    aid = await quarantine_noticed(uow, "publicity", notice("held"), DAY)
    assert isinstance(aid, str) and await quarantine_noticed(uow, "publicity", notice("held"), DAY) == aid
    raised, = uow.events
    assert isinstance(raised, AlertRaised) and raised.rule_id == QUARANTINED
    assert raised.subject_id == "publicity/statistics@registry.events:2:41" and raised.figures["offset"] == 41
    assert await quarantine_noticed(uow, "publicity", notice("retried"), DAY) is True
    assert await quarantine_noticed(uow, "publicity", notice("retried"), DAY) is False
    assert [type(e) for e in uow.events] == [AlertRaised, AlertResolved]
