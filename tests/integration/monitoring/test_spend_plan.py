"""A district's spending behind the year's plan, judged when a quarter's last day closes:
raised once, cleared by the payment (or the smaller plan) that makes the shortfall up."""

from __future__ import annotations

from datetime import date

from services.monitoring.domain.calendar import CloseThrough
from services.monitoring.handlers.days import close_through
from tests.integration.monitoring.conftest import MonitoringHarness


async def allocate(m: MonitoringHarness, village: str, allocation: str, fen: int, on: date, year: int = 2022) -> None:
    await m.deliver("funding", "FundsAllocated", {
        "allocation_id": allocation, "line_id": "l-1", "source": "city_special", "fiscal_year": year,
        "village_code": village, "district": village[:6], "amount_fen": fen}, f"allocation-{allocation}", on)


async def pay(m: MonitoringHarness, village: str, allocation: str, fen: int, on: date, event: str = "DisbursementPaid"):
    d = m.uid("d")
    extra = {"paid_on": on.isoformat(), "voucher_no": "v"} if event == "DisbursementPaid" else {"reason": "退回"}
    return await m.deliver("funding", event, {
        "disbursement_id": d, "allocation_id": allocation, "line_id": "l-1", "source": "city_special",
        "village_code": village, "district": village[:6], "amount_fen": fen, **extra}, f"disbursement-{d}", on)


async def two_districts(m: MonitoringHarness, first: str, second: str) -> tuple[str, str, str, str]:
    """A village in each district, 1,000,000 fen allocated to each; the first paid 5 % by March."""
    village, other = await m.village(date(2022, 1, 1), district=first), await m.village(date(2022, 1, 1), district=second)
    allocation, elsewhere = m.uid("a"), m.uid("a")
    await allocate(m, village, allocation, 1_000_000, date(2022, 1, 10))
    await allocate(m, other, elsewhere, 1_000_000, date(2022, 1, 10))
    await pay(m, village, allocation, 50_000, date(2022, 3, 1))
    return village, other, allocation, elsewhere


async def test_a_district_behind_its_plan_at_quarter_end_until_payments_make_it_up(monitoring):
    m = monitoring
    village, other, allocation, elsewhere = await two_districts(m, "120111", "120112")
    await pay(m, other, elsewhere, 100_000, date(2022, 3, 1))  # 10 %: 25 % less 15 points, not behind
    await m.close_through(date(2022, 3, 30), date(2022, 3, 30))
    assert await m.alerts("district.spend_behind_plan") == []  # not a quarter's end
    await m.close(date(2022, 3, 31))
    [alert] = await m.alerts("district.spend_behind_plan")
    assert (alert["subject_id"], alert["district"], alert["raised_on"], alert["figures"]) == (
        "120111:2022", "120111", date(2022, 3, 31),
        {"since": "2022-03-31", "year": 2022, "quarter": 1, "plan_fen": 1_000_000, "spent_fen": 50_000,
         "floor_fen": 100_000})
    await pay(m, village, allocation, 40_000, date(2022, 4, 2))  # 90,000: still short
    assert [a["state"] for a in await m.alerts("district.spend_behind_plan")] == ["open"]
    paid = await pay(m, village, allocation, 10_000, date(2022, 4, 3))
    [alert] = await m.alerts("district.spend_behind_plan")
    assert (alert["state"], alert["resolved_how"], alert["cleared_by_event"]) == ("resolved", "cleared", paid.event_id)
    # The second quarter asks for 35 %: behind again (a new alert); a smaller plan clears it.
    await m.run(lambda uow: close_through(uow, CloseThrough(through=date(2022, 6, 30))))  # one command
    alerts = await m.alerts("district.spend_behind_plan")
    assert [(a["district"], a["state"], a["raised_on"], a["figures"]["quarter"]) for a in alerts] == [
        ("120111", "resolved", date(2022, 3, 31), 1), ("120111", "open", date(2022, 6, 30), 2),
        ("120112", "open", date(2022, 6, 30), 2)]
    adjusted = await m.deliver("funding", "AllocationAdjusted", {
        "allocation_id": allocation, "line_id": "l-1", "village_code": village, "amount_fen": 250_000,
        "previous_fen": 1_000_000, "reason": "调减"}, f"allocation-{allocation}", date(2022, 7, 2))
    alerts = await m.alerts("district.spend_behind_plan")
    assert [(a["state"], a["cleared_by_event"]) for a in alerts[1:]] == [
        ("resolved", adjusted.event_id), ("open", None)]  # 100,000 of 250,000 is 40 %; the other district is still short


async def test_a_reversed_payment_counts_no_more(monitoring):
    m = monitoring
    village = await m.village(date(2022, 1, 1), district="120113")
    allocation = m.uid("a")
    await allocate(m, village, allocation, 1_000_000, date(2022, 1, 10))
    await pay(m, village, allocation, 100_000, date(2022, 3, 1))
    reversed_ = await pay(m, village, allocation, 100_000, date(2022, 3, 2), event="DisbursementPaid")
    reversal = {k: v for k, v in reversed_.payload.items() if k not in ("paid_on", "voucher_no")}
    await m.deliver("funding", "DisbursementReversed", reversal | {"reason": "凭证有误"}, reversed_.stream_id,
                    date(2022, 3, 3))
    await m.close(date(2022, 3, 31))
    assert await m.alerts("district.spend_behind_plan") == []  # 100,000 of 1,000,000: just at the floor
    await m.run(lambda uow: close_through(uow, CloseThrough(through=date(2022, 6, 30))))  # one command
    [alert] = await m.alerts("district.spend_behind_plan")
    assert alert["figures"]["spent_fen"] == 100_000 and alert["figures"]["floor_fen"] == 350_000


async def test_a_quarter_is_judged_on_what_happened_by_its_end_whatever_came_first(monitoring):
    """The days closed after later payments were recorded (a replay, or a scenario closing its
    calendar at the end): raised on the quarter's last day, resolved by the payment that made
    the shortfall up, in that order."""
    m = monitoring
    village = await m.village(date(2022, 1, 1), district="120114")
    allocation = m.uid("a")
    await allocate(m, village, allocation, 1_000_000, date(2022, 1, 10))
    await pay(m, village, allocation, 60_000, date(2022, 4, 5))
    made_up = await pay(m, village, allocation, 60_000, date(2022, 4, 20))
    await allocate(m, village, m.uid("a"), 5_000_000, date(2022, 5, 1))  # after the quarter: not its plan
    await m.close(date(2022, 3, 31))
    [alert] = await m.alerts("district.spend_behind_plan")
    assert (alert["raised_on"], alert["figures"]["spent_fen"], alert["figures"]["plan_fen"]) == (
        date(2022, 3, 31), 0, 1_000_000)
    assert (alert["state"], alert["resolved_on"], alert["cleared_by_event"]) == (
        "resolved", date(2022, 4, 20), made_up.event_id)
    events = await m.alert_events()
    assert [t for stream, t in events if stream == f"alert-{alert['alert_id']}"] == ["AlertRaised", "AlertResolved"], events


async def test_a_quarter_closed_late_is_judged_on_the_plan_and_payments_as_they_stood_at_its_end(monitoring):
    """A smaller plan or a reversal after the quarter's end, recorded before the quarter closes
    (a calendar catching up): the quarter is judged as it stood at its end — behind on the
    plan it had, with the payment later reversed still counted — and the smaller plan clears
    it on its own day, as closing the days one by one would have said."""
    m = monitoring
    village, other, allocation, elsewhere = await two_districts(m, "120115", "120116")  # the first behind
    adjusted = await m.deliver("funding", "AllocationAdjusted", {
        "allocation_id": allocation, "line_id": "l-1", "village_code": village, "amount_fen": 400_000,
        "previous_fen": 1_000_000, "reason": "调减"}, f"allocation-{allocation}", date(2022, 4, 12))
    paid = await pay(m, other, elsewhere, 100_000, date(2022, 3, 2))  # 10 %: not behind at the quarter's end
    reversal = {k: v for k, v in paid.payload.items() if k not in ("paid_on", "voucher_no")}
    await m.deliver("funding", "DisbursementReversed", reversal | {"reason": "凭证有误"}, paid.stream_id,
                    date(2022, 4, 15))
    await m.close(date(2022, 3, 31))
    alerts = await m.alerts("district.spend_behind_plan")
    assert [(a["district"], a["raised_on"], a["figures"]["plan_fen"], a["figures"]["spent_fen"], a["state"],
             a["resolved_on"], a["cleared_by_event"]) for a in alerts] == [
        ("120115", date(2022, 3, 31), 1_000_000, 50_000, "resolved", date(2022, 4, 12), adjusted.event_id)]


async def test_an_allocation_the_release_before_recorded_counts_at_its_amount(monitoring):
    """Migration 0003 is expand-only: an allocation recorded by the release before (no amount by
    day) still counts in the plan, at its amount."""
    m = monitoring
    village, _, allocation, _ = await two_districts(m, "120117", "120118")
    await m.fetch("delete from monitoring.allocation_amounts where allocation_id = $1", allocation)
    await m.close(date(2022, 3, 31))
    [alert] = [a for a in await m.alerts("district.spend_behind_plan") if a["district"] == "120117"]
    assert (alert["figures"]["plan_fen"], alert["figures"]["spent_fen"]) == (1_000_000, 50_000)
