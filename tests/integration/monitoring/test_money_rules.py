"""The money rules end to end on the real store: funding's events in → a day closes → the
alert is raised once → the undoing event → resolved by it (``how='cleared'``)."""

from __future__ import annotations

from datetime import date

from tests.integration.monitoring.conftest import MonitoringHarness


async def request(m: MonitoringHarness, village: str, on: date, disbursement_id: str | None = None,
                  allocation_id: str = "a-1") -> str:
    disbursement_id = disbursement_id or m.uid("d")
    await m.deliver("funding", "DisbursementRequested", {
        "disbursement_id": disbursement_id, "allocation_id": allocation_id, "line_id": "l-1",
        "source": "city_special", "village_code": village, "district": village[:6], "amount_fen": 500_000},
        f"disbursement-{disbursement_id}", on)
    return disbursement_id


def decided(event_type: str, d: str, village: str, **extra) -> tuple[str, dict, str]:
    return (event_type, {"disbursement_id": d, "allocation_id": "a-1", "village_code": village,
                         "district": village[:6], "amount_fen": 500_000, **extra}, f"disbursement-{d}")


async def test_waiting_for_approval_raises_once_after_n_days_and_the_approval_resolves_it(monitoring):
    m = monitoring
    village = await m.village(date(2022, 4, 1))
    d = await request(m, village, date(2022, 5, 1))
    await m.close_through(date(2022, 5, 1), date(2022, 5, 15))  # 14 days: not yet "more than 14"
    assert await m.alerts("disbursement.awaiting_approval") == []
    await m.close_through(date(2022, 5, 16), date(2022, 5, 18))
    [alert] = await m.alerts("disbursement.awaiting_approval")
    assert (alert["subject_id"], alert["state"], alert["raised_on"]) == (d, "open", date(2022, 5, 16))
    assert (alert["district"], alert["village_code"]) == (village[:6], village)
    assert alert["audience"] == ["finance_officer", "district_official"]
    approval = await m.deliver("funding", *decided("DisbursementApproved", d, village), on=date(2022, 5, 19))
    [alert] = await m.alerts("disbursement.awaiting_approval")
    assert (alert["state"], alert["resolved_how"], alert["resolved_on"]) == ("resolved", "cleared", date(2022, 5, 19))
    assert alert["cleared_by_event"] == approval.event_id
    # The approval opened the next condition: approved, not yet paid.
    await m.close_through(date(2022, 5, 19), date(2022, 5, 30))
    [unpaid] = await m.alerts("disbursement.approved_unpaid")
    assert unpaid["raised_on"] == date(2022, 5, 30)  # more than 10 days after the 19th
    paid = await m.deliver("funding", *decided("DisbursementPaid", d, village, line_id="l-1", source="city_special",
                                               paid_on="2022-05-31", voucher_no="v-1"), on=date(2022, 5, 31))
    [unpaid] = await m.alerts("disbursement.approved_unpaid")
    assert unpaid["state"] == "resolved" and unpaid["cleared_by_event"] == paid.event_id
    mine = {f"alert-{alert['alert_id']}", f"alert-{unpaid['alert_id']}"}
    types = [t for stream, t in await m.alert_events() if stream in mine]
    assert types == ["AlertRaised", "AlertResolved", "AlertRaised", "AlertResolved"]


async def two_requests(m) -> tuple[str, tuple[str, str]]:
    """A weak village of 1 April 2022 and two disbursement requests of 1 May for it."""
    village = await m.village(date(2022, 4, 1))
    return village, (await request(m, village, date(2022, 5, 1)), await request(m, village, date(2022, 5, 1)))


async def test_a_request_decided_in_time_raises_nothing_and_a_rejection_clears_too(monitoring):
    m = monitoring
    village, (quick, slow) = await two_requests(m)
    await m.close_through(date(2022, 5, 1), date(2022, 5, 10))
    await m.deliver("funding", *decided("DisbursementRejected", quick, village, reason="材料不全"), on=date(2022, 5, 11))
    await m.close_through(date(2022, 5, 11), date(2022, 5, 16))
    [alert] = await m.alerts("disbursement.awaiting_approval")
    assert alert["subject_id"] == slow
    await m.deliver("funding", *decided("DisbursementRejected", slow, village, reason="材料不全"), on=date(2022, 5, 17))
    assert [a["state"] for a in await m.alerts("disbursement.awaiting_approval")] == ["resolved"]


async def allocate(m, village: str, allocation: str, on: date) -> None:
    await m.deliver("funding", "FundsAllocated", {
        "allocation_id": allocation, "line_id": "l-1", "source": "city_special", "fiscal_year": 2022,
        "village_code": village, "district": village[:6], "amount_fen": 1_000_000}, f"allocation-{allocation}", on)


async def one_idle_one_used(m) -> tuple[str, str, str]:
    """A village with two allocations of 10 January 2022, money asked from the second on 1 February."""
    village = await m.village(date(2022, 1, 1))
    idle, used = m.uid("a"), m.uid("a")
    for allocation in (idle, used):
        await allocate(m, village, allocation, date(2022, 1, 10))
    await request(m, village, date(2022, 2, 1), allocation_id=used)
    return village, idle, used


async def test_an_allocation_nothing_is_requested_from_goes_idle(monitoring):
    m = monitoring
    village, idle, used = await one_idle_one_used(m)
    await m.close_through(date(2022, 1, 10), date(2022, 4, 10))  # 90 days: not yet
    assert await m.alerts("allocation.idle") == []
    await m.close(date(2022, 4, 11))  # the 91st
    [alert] = await m.alerts("allocation.idle")
    assert (alert["subject_id"], alert["raised_on"], alert["severity"]) == (idle, date(2022, 4, 11), "info")
    await request(m, village, date(2022, 4, 12), allocation_id=idle)
    [alert] = await m.alerts("allocation.idle")
    assert alert["state"] == "resolved"


async def test_a_request_read_before_its_allocation_still_means_the_allocation_was_never_idle(monitoring):
    """Allocations and requests are streams of their own, so partitions of their own: a
    request may be read before the allocation it draws on. The episode ends on the request's
    day whatever order they come in."""
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    drawn, late = m.uid("a"), m.uid("a")
    await request(m, village, date(2022, 2, 1), allocation_id=drawn)  # within 90 days
    await request(m, village, date(2022, 5, 1), allocation_id=late)  # after 90 days: idle from 11 April
    for allocation in (drawn, late):
        await allocate(m, village, allocation, date(2022, 1, 10))
    await m.close_through(date(2022, 1, 10), date(2022, 6, 30))
    [alert] = await m.alerts("allocation.idle")
    assert (alert["subject_id"], alert["raised_on"]) == (late, date(2022, 4, 11))
    assert (alert["state"], alert["resolved_on"]) == ("resolved", date(2022, 5, 1))


async def test_a_frozen_allocation_made_fundable_again_is_idle_again_unless_money_was_asked_for(monitoring):
    m = monitoring
    village, unused, used = await one_idle_one_used(m)
    for allocation in (unused, used):  # the designation is revoked, then given back
        ids = {"allocation_id": allocation, "line_id": "l-1", "village_code": village}
        await m.deliver("funding", "AllocationFrozen", ids | {"district": village[:6], "unspent_fen": 1_000_000},
                        f"allocation-{allocation}", date(2022, 3, 1))
        await m.deliver("funding", "AllocationUnfrozen", ids, f"allocation-{allocation}", date(2022, 3, 5))
    await m.close_through(date(2022, 1, 10), date(2022, 6, 3))  # 90 days after 5 March: not yet
    assert await m.alerts("allocation.idle") == []
    await m.close(date(2022, 6, 4))
    [alert] = await m.alerts("allocation.idle")
    assert (alert["subject_id"], alert["raised_on"]) == (unused, date(2022, 6, 4))


async def test_requests_read_before_an_unfreeze_count_by_their_day(monitoring):
    """Money asked for before the freeze: not idle again. Asked for only long after the
    unfreeze: idle again from the unfreeze until that request, whichever is read first."""
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    before, after = m.uid("a"), m.uid("a")
    for allocation in (before, after):
        await allocate(m, village, allocation, date(2022, 1, 10))
    for allocation in (before, after):
        ids = {"allocation_id": allocation, "line_id": "l-1", "village_code": village}
        await m.deliver("funding", "AllocationFrozen", ids | {"district": village[:6], "unspent_fen": 1_000_000},
                        f"allocation-{allocation}", date(2022, 1, 20))
    await request(m, village, date(2022, 1, 15), allocation_id=before)  # read late: it came before the freeze
    await request(m, village, date(2022, 6, 1), allocation_id=after)  # read early: it came after the unfreeze
    for allocation in (before, after):
        await m.deliver("funding", "AllocationUnfrozen", {"allocation_id": allocation, "line_id": "l-1",
                                                          "village_code": village}, f"allocation-{allocation}",
                        date(2022, 2, 1))
    await m.close_through(date(2022, 1, 10), date(2022, 6, 30))
    [alert] = await m.alerts("allocation.idle")
    assert (alert["subject_id"], alert["raised_on"], alert["resolved_on"]) == (after, date(2022, 5, 3),
                                                                              date(2022, 6, 1))


async def test_unacknowledged_alerts_escalate_on_business_days_and_an_acknowledged_one_stops(monitoring):
    m = monitoring
    village, (ignored, taken) = await two_requests(m)
    await m.close_through(date(2022, 5, 1), date(2022, 5, 16))
    alerts = {a["subject_id"]: a for a in await m.alerts("disbursement.awaiting_approval")}
    from services.monitoring.domain.alert import Acknowledge
    from services.monitoring.handlers.alerts import acknowledge
    from tests.integration.monitoring.conftest import CITY

    await m.run(lambda uow: acknowledge(uow, Acknowledge(note="已督办 / chased"), CITY,
                                        alert_id=alerts[taken]["alert_id"]), on=date(2022, 5, 17))
    await m.close_through(date(2022, 5, 17), date(2022, 5, 26))  # 10 business days after raising
    alerts = {a["subject_id"]: a for a in await m.alerts("disbursement.awaiting_approval")}
    assert (alerts[ignored]["level"], alerts[ignored]["escalated_on"]) == (2, date(2022, 5, 26))
    assert alerts[ignored]["escalated_to"] == ["city_office"]
    assert (alerts[taken]["level"], alerts[taken]["state"]) == (0, "acknowledged")
    levels = await m.fetch("select payload->>'level' as level, payload->>'escalated_on' as on_ from monitoring.alert_log "
                           "where alert_id = $1 and type = 'AlertEscalated' order by position",
                           alerts[ignored]["alert_id"])
    assert [(r["level"], r["on_"]) for r in levels] == [("1", "2022-05-21"), ("2", "2022-05-26")]


async def test_a_rule_change_applies_from_its_effective_day(monitoring):
    m = monitoring
    from services.monitoring.domain.rules import ChangeRule
    from services.monitoring.handlers.rules import change_rule

    village = await m.village(date(2022, 4, 1))
    await m.close_through(date(2022, 5, 1), date(2022, 5, 1))
    cmd = ChangeRule.model_validate({"effective_on": "2022-05-03", "severity": "critical", "thresholds": {"days": 3},
                                     "audience": ["city_office"], "escalate_after_days": None, "escalate_to": [],
                                     "reason": "加强督办 / tighter"})
    await m.run(lambda uow: change_rule(uow, cmd, rule_id="disbursement.awaiting_approval"), on=date(2022, 5, 2))
    d = await request(m, village, date(2022, 5, 2))
    await m.close_through(date(2022, 5, 2), date(2022, 5, 6))
    [alert] = await m.alerts("disbursement.awaiting_approval")
    assert (alert["subject_id"], alert["raised_on"], alert["rule_version"], alert["severity"]) == (
        d, date(2022, 5, 6), 2, "critical")


async def test_the_earliest_request_ends_the_idle_episode_whichever_request_is_read_first(monitoring):
    """Each request is a stream of its own, so a partition of its own: a later request may be
    read before an earlier one, before or after the allocation. The episode ended on the
    earliest request's day, not on the day of the first request read."""
    m = monitoring
    village = await m.village(date(2022, 1, 1))
    after, before = m.uid("a"), m.uid("a")
    await allocate(m, village, after, date(2022, 1, 10))
    await request(m, village, date(2022, 5, 1), allocation_id=after)  # the later one, read first
    await request(m, village, date(2022, 5, 1), allocation_id=before)
    await allocate(m, village, before, date(2022, 1, 10))
    for allocation in (after, before):
        await request(m, village, date(2022, 2, 1), allocation_id=allocation)  # within 90 days, read last
    await m.close_through(date(2022, 1, 10), date(2022, 6, 30))
    assert await m.alerts("allocation.idle") == []
    rows = await m.fetch("select subject_id, cleared_on from monitoring.conditions where rule_id = 'allocation.idle'")
    assert sorted((r["subject_id"], r["cleared_on"]) for r in rows) == sorted(
        [(after, date(2022, 2, 1)), (before, date(2022, 2, 1))])
