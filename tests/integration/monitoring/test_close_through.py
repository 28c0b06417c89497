"""Closing many business days in one command: in order across a year's end, each day's rules
judged as when closed one by one, and nothing closed twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.eventstore import CommandMeta
from shared.eventstore.errors import DomainError
from shared.messaging.kafka import encode
from shared.projections import Delivery

from services.monitoring.domain.calendar import CloseThrough
from services.monitoring.handlers.days import close_through
from tests.integration.monitoring.conftest import noon
from tests.integration.monitoring.test_money_rules import request
from tests.support.db import sequence_all


async def test_days_close_in_order_through_a_day_across_the_years_end(monitoring):
    m = monitoring
    with pytest.raises(DomainError):  # nothing closed yet and no first day
        await m.run(lambda uow: close_through(uow, CloseThrough(through=date(2022, 1, 2))))
    village = await m.village(date(2021, 12, 1))
    d = await request(m, village, date(2021, 12, 10))
    done = await m.run(lambda uow: close_through(uow, CloseThrough(through=date(2022, 1, 2), first=date(2021, 12, 30))))
    assert done == {"through": "2022-01-02", "closed": 4}
    [alert] = await m.alerts("disbursement.awaiting_approval")  # more than 14 days after 10 December
    assert (alert["subject_id"], alert["raised_on"]) == (d, date(2021, 12, 30))
    again = await m.run(lambda uow: close_through(uow, CloseThrough(through=date(2022, 1, 3))))
    assert again == {"through": "2022-01-03", "closed": 1}
    days = await m.fetch("select payload->>'day' as day from es.events where type = 'BusinessDayClosed' order by id")
    assert [r["day"] for r in days] == ["2021-12-30", "2021-12-31", "2022-01-01", "2022-01-02", "2022-01-03"]


async def test_a_later_years_days_read_first_are_judged_after_the_days_before_them(monitoring):
    """Each year's days are a stream of their own, so they may lie on different partitions of
    monitoring.events and reach the watch in another order than they closed. A day read
    before the days before it is judged after them: the alert is raised on the day it fell
    due, not on the first day of the next year that happened to be read first."""
    m = monitoring
    village = await m.village(date(2021, 12, 1))
    late = await request(m, village, date(2021, 12, 10))
    await m.close(date(2021, 12, 20))
    meta = CommandMeta(actor="city_office:city", occurred_at=noon(date(2022, 1, 3)))
    await m.store.execute("Test", {"n": "through"}, meta,
                          lambda uow: close_through(uow, CloseThrough(through=date(2022, 1, 3))), None)
    await sequence_all(m.pool)
    days = await m.store.read_all(after=m.fed, limit=1000)
    assert {e.stream_id for e in days} == {"calendar-2021", "calendar-2022"}
    for e in sorted(days, key=lambda e: (e.stream_id != "calendar-2022", e.global_position)):  # 2022 first
        await m.apply(Delivery("monitoring.events", 1 if e.stream_id == "calendar-2022" else 0,
                               e.global_position - 1, encode(e), {}))
    m.fed = max(e.global_position for e in days)
    await m.sync()
    [alert] = await m.alerts("disbursement.awaiting_approval")
    assert (alert["subject_id"], alert["raised_on"]) == (late, date(2021, 12, 25))
    assert [r["day"] for r in await m.fetch("select day from monitoring.days order by day")] == [
        date(2021, 12, 20) + timedelta(days=n) for n in range(15)]
