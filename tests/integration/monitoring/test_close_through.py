"""Closing many business days in one command: in order across a year's end, each day's rules
judged as when closed one by one, and nothing closed twice."""

from __future__ import annotations

from datetime import date

import pytest

from shared.eventstore.errors import DomainError

from services.monitoring.domain.calendar import CloseThrough
from services.monitoring.handlers.days import close_through
from tests.integration.monitoring.test_money_rules import request


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
