"""The hook the webhook delivery calls when it pauses a subscription, and on its resumption:
one operations alert per pause, raised once, cleared once, the city office's to see."""

from __future__ import annotations

from datetime import date

from services.monitoring.domain.access import AlertScope
from services.monitoring.handlers.operations import clear_operations_alert, raise_operations_alert
from services.monitoring.queries.alerts import AlertFilter, list_alerts
from tests.integration.monitoring.conftest import CITY


async def test_a_paused_subscription_raises_one_operations_alert_and_its_resumption_clears_it(monitoring):
    m = monitoring

    async def pause(uow):
        return await raise_operations_alert(uow, "ops.subscription_paused", "subscription", "sub-1", episode="pause-1",
                                            on=date(2022, 5, 3), figures={"failures": 8})

    first = await m.run(pause)
    again = await m.run(pause)
    assert first == again
    [alert] = await m.alerts("ops.subscription_paused")
    assert (alert["alert_id"], alert["district"], alert["audience"], alert["figures"]) == (
        first, None, ["operations"], {"failures": 8})
    district = AlertScope("o", "district_official:o", district="120119", may_resolve=True)
    async with m.pool.acquire() as conn:
        assert (await list_alerts(conn, district, AlertFilter(), limit=10))["total"] == 0
        assert (await list_alerts(conn, CITY, AlertFilter(), limit=10))["total"] == 1
    cleared = await m.run(lambda uow: clear_operations_alert(uow, "ops.subscription_paused", "subscription", "sub-1",
                                                             episode="pause-1", on=date(2022, 5, 4)))
    assert cleared and not await m.run(lambda uow: clear_operations_alert(
        uow, "ops.subscription_paused", "subscription", "sub-1", episode="pause-1", on=date(2022, 5, 4)))
    [alert] = await m.alerts("ops.subscription_paused")
    assert (alert["state"], alert["resolved_how"]) == ("resolved", "cleared")
    assert [t for _, t in await m.alert_events()] == ["AlertRaised", "AlertResolved"]
