"""Presence for the four togethers, leave against the annual quota, allowances, alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.eventstore import CommandMeta
from shared.eventstore.errors import Conflict, DomainError, Forbidden
from shared.http.auth import Principal, Role

from services.registry import handlers
from services.registry.domain.cadres import DecideLeave, RecordInsurance, RequestLeave
from services.registry.domain.presence import CheckIn, ComputeAllowances, LogPresence
from services.registry.handlers.access import Access
from services.registry.projections.activity import ActivityProjection
from services.registry.queries import alerts
from services.registry.queries.cadres import cadre_record
from tests.integration.registry.conftest import CITY, count_events, official, run
from tests.integration.registry.network import resident_team, team
from tests.support.db import sequence_all

JUNE = CommandMeta(actor="test", occurred_at=datetime(2021, 6, 30, 12, tzinfo=UTC))


def checkin(t: dict, day: date, cadre: str | None = None, togethers="吃住学劳") -> CheckIn:
    return CheckIn(cadre_id=cadre or t["secretary"], village_code=t["village"], day=day, togethers=togethers)


async def test_presence_once_a_day_in_an_entered_village(store):
    t = await resident_team(store)
    await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 6, 2)),
                                                                 checkin(t, date(2021, 6, 2), t["member"], ["eat"])]),
              CITY, meta=JUNE)
    [logged, *_] = [e for e in await store.read_stream(None, f"presence-{t['secretary']}-2021-06")]
    assert logged.payload["togethers"] == ["eat", "live", "study", "work"]
    with pytest.raises(Conflict):
        await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 6, 2))]), CITY, meta=JUNE)
    with pytest.raises(DomainError) as before_entry:
        await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 5, 31))]), CITY, meta=JUNE)
    assert before_entry.value.field == "entries.0.village_code"
    with pytest.raises(DomainError) as future:
        await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 7, 2))]), CITY, meta=JUNE)
    assert future.value.field == "entries.0.day"
    assert await count_events(store, "CadrePresenceLogged") == 2


async def test_a_first_secretary_logs_for_their_own_team_only(store):
    t, other = await resident_team(store), await resident_team(store)
    mine = Access(Principal(subject="fs", role=Role.first_secretary, team=t["team_id"]))
    await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 6, 3))]), mine, meta=JUNE)
    with pytest.raises(Forbidden):
        await run(store, handlers.log_presence, LogPresence(entries=[checkin(other, date(2021, 6, 3))]), mine, meta=JUNE)


async def test_leave_within_the_annual_quota_and_not_beyond(store):
    t = await resident_team(store)
    cadre = t["member"]
    await run(store, handlers.request_leave,
              RequestLeave(leave_id="l1", start=date(2021, 7, 1), end=date(2021, 7, 6),
                            reason="探亲"), CITY, 10, cadre_id=cadre)
    approved = await run(store, handlers.decide_leave, DecideLeave(approve=True), official("120119"), 10,
                         cadre_id=cadre, leave_id="l1")
    assert approved["status"] == "approved" and approved["used_days"] == 6
    with pytest.raises(DomainError) as over:
        await run(store, handlers.request_leave,
                  RequestLeave(leave_id="l2", start=date(2021, 8, 1),
                                end=date(2021, 8, 5), reason="事假"), CITY, 10, cadre_id=cadre)
    assert over.value.field == "end" and "quota" in over.value.message
    await run(store, handlers.request_leave,
              RequestLeave(leave_id="l3", start=date(2021, 8, 1),
                            end=date(2021, 8, 4), reason="事假"), CITY, 10, cadre_id=cadre)
    await run(store, handlers.decide_leave, DecideLeave(approve=False, reason="工作需要"), CITY, 10, cadre_id=cadre,
              leave_id="l3")
    # On approved leave, no check-in that day (the leave committed just before); a rejected leave's days are free.
    july = CommandMeta(actor="t", occurred_at=datetime(2021, 8, 30, tzinfo=UTC))
    with pytest.raises(DomainError) as on_leave:
        await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 7, 7), cadre),
                                                                     checkin(t, date(2021, 7, 3), cadre)]), CITY,
                  meta=july)
    assert (on_leave.value.field, on_leave.value.message) == (
        "entries.1.day", f"干部 {cadre} 在 2021-07-03 请假 / on approved leave that day")
    with pytest.raises(DomainError) as unknown:
        await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 7, 7), "nobody")]), CITY,
                  meta=july)
    assert (unknown.value.field, unknown.value.message) == ("entries.0.cadre_id", "未找到干部 nobody / cadre nobody not found")
    await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 7, 7), cadre),
                                                                 checkin(t, date(2021, 8, 2), cadre)]), CITY, meta=july)


async def test_insurance_on_record(store):
    t = await team(store)
    await run(store, handlers.record_insurance,
              RecordInsurance(policy_no="P-1", valid_from=date(2021, 6, 1),
                               valid_to=date(2022, 5, 31)), CITY, cadre_id=t["member"])
    record = await run(store, cadre_record, t["member"], CITY)
    assert record["insurance"][0]["policy_no"] == "P-1"


async def test_allowance_from_presence_days_recomputed_only_when_changed(store):
    t = await resident_team(store)
    days = [date(2021, 6, d) for d in (2, 3, 4)]
    await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, d) for d in days]), CITY, meta=JUNE)
    first = await run(store, handlers.compute_allowances, ComputeAllowances(month="2021-06"), 10_000)
    mine = next(i for i in first["items"] if i["cadre_id"] == t["secretary"])
    assert (mine["presence_days"], mine["amount_fen"]) == (3, 30_000)
    again = await run(store, handlers.compute_allowances, ComputeAllowances(month="2021-06"), 10_000)
    assert again["changed"] == 0
    await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 6, 5))]), CITY, meta=JUNE)
    third = await run(store, handlers.compute_allowances, ComputeAllowances(month="2021-06"), 12_050)
    assert third["changed"] == 1 and third["total_fen"] == 4 * 12_050


async def test_alerts_from_the_activity_projection(store):
    t = await resident_team(store, entered_on=date(2021, 6, 1))
    await run(store, handlers.log_presence, LogPresence(entries=[checkin(t, date(2021, 6, 2))]), CITY, meta=JUNE)
    await run(store, handlers.request_leave,
              RequestLeave(leave_id="l", start=date(2021, 6, 1),
                            end=date(2021, 6, 10), reason="病假"), CITY, 10, cadre_id=t["member"])
    await run(store, handlers.decide_leave, DecideLeave(approve=True), CITY, 10, cadre_id=t["member"], leave_id="l")
    projection = ActivityProjection()
    async with store.pool.acquire() as conn, conn.transaction():
        for event in await _all_events(store):
            await projection.apply(conn, event)
        absent = {a["cadre_id"]: a["absent_days"] for a in await alerts.absent_cadres(conn, date(2021, 6, 12), 7, None)}
        # Secretary: 3–12 June absent (10 days). Member: 1–10 on leave, 11–12 absent (2 days).
        assert absent == {t["secretary"]: 10}
        assert not await alerts.absent_cadres(conn, date(2021, 6, 9), 7, None)
        _, _, silent = await alerts.silent_villages(conn, date(2021, 6, 9), None)
        assert [s["village_code"] for s in silent] == [t["village"]]
        _, _, week_one = await alerts.silent_villages(conn, date(2021, 6, 2), None)
        assert week_one == []
        assert not await alerts.absent_cadres(conn, date(2021, 6, 12), 7, "120114")


async def _all_events(store):
    """Every event, sequenced, in log order."""
    await sequence_all(store.pool)
    events, after = [], 0
    while batch := await store.read_all(after, 1000):
        events.extend(batch)
        after = batch[-1].global_position
    return events
