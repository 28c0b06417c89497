"""Taking an alert on and closing it by hand through the handlers, without PostgreSQL: the
data keys are given as their in-memory twin, so what the event carries is seen sealed."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from shared.contracts.monitoring import AlertAcknowledged, AlertResolved
from shared.dates import BEIJING
from shared.eventstore import CommandMeta
from shared.eventstore.errors import Forbidden, NotFound
from shared.eventstore.memory import InMemoryUnitOfWork, NeedsDatabase
from shared.privacy.keys import PersonErased, PgDataKeys
from shared.privacy.memory import InMemoryDataKeys

from services.monitoring.domain.access import AlertScope
from services.monitoring.domain.alert import Acknowledge, Alert, ResolveByHand
from services.monitoring.handlers import COMMANDS
from tests.unit.monitoring.test_alert_lifecycle import raised

CITY = AlertScope("c", "city_office:c", may_resolve=True)
OTHER_DISTRICT = AlertScope("d", "district_official:d", district="120221", may_resolve=True)
UNIT = AlertScope("u", "unit:u", villages=("120119001001",))


def unit_with(*alerts: str) -> tuple[InMemoryUnitOfWork, InMemoryDataKeys]:
    uow = InMemoryUnitOfWork(CommandMeta(actor="test", occurred_at=datetime.combine(date(2022, 5, 17), time(10),
                                                                                    tzinfo=BEIJING)))
    for aid in alerts:
        uow.given(Alert, aid, [raised(aid)])
    return uow, uow.provide(PgDataKeys, InMemoryDataKeys())


async def test_an_alert_is_taken_on_with_a_sealed_note_then_closed_by_hand():
    uow, keys = unit_with("a1")
    done = await COMMANDS[Acknowledge](uow, Acknowledge(note="已联系财政局"), UNIT, alert_id="a1")
    assert done == {"alert_id": "a1", "state": "acknowledged", "acknowledged_by": "u", "acknowledged_on": "2022-05-17"}
    closed = await COMMANDS[ResolveByHand](uow, ResolveByHand(reason="已拨付"), CITY, alert_id="a1")
    assert (closed["state"], closed["resolved_how"], closed["resolved_on"]) == ("resolved", "by_hand", "2022-05-17")
    acknowledged, resolved = uow.events
    assert isinstance(acknowledged, AlertAcknowledged) and isinstance(resolved, AlertResolved)
    opener = await keys.opener(["alert-a1"])
    assert acknowledged.note.data != "已联系财政局" and opener(acknowledged.note) == "已联系财政局"
    assert opener(resolved.reason) == "已拨付"


async def test_an_alert_out_of_sight_is_not_found_and_a_unit_may_not_close_one():
    uow, _ = unit_with("a1")
    with pytest.raises(NotFound):
        await COMMANDS[Acknowledge](uow, Acknowledge(note="x"), OTHER_DISTRICT, alert_id="a1")
    with pytest.raises(NotFound):
        await COMMANDS[Acknowledge](uow, Acknowledge(note="x"), CITY, alert_id="a-none")
    with pytest.raises(Forbidden):
        await COMMANDS[ResolveByHand](uow, ResolveByHand(reason="x"), UNIT, alert_id="a1")
    assert uow.events == []


async def test_the_note_needs_the_alerts_key_and_an_erased_one_takes_no_new_note():
    uow = unit_with("a1")[0]
    uow.adapters.clear()
    with pytest.raises(NeedsDatabase):
        await COMMANDS[Acknowledge](uow, Acknowledge(note="x"), CITY, alert_id="a1")
    uow, keys = unit_with("a1")
    await keys.erase("alert-a1")
    with pytest.raises(PersonErased) as refused:
        await COMMANDS[Acknowledge](uow, Acknowledge(note="x"), CITY, alert_id="a1")
    assert refused.value.field == "note" and uow.events == []
