"""An alert's life as the aggregate keeps it: raised once, escalated level by level while
nobody takes it on, acknowledged, resolved once — what a reactor drives is idempotent."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from shared.contracts.monitoring import AlertRaised
from shared.eventstore.errors import Conflict, NotFound, Forbidden
from shared.privacy.sealed import Sealed

from services.monitoring.domain.access import AlertScope
from services.monitoring.domain.alert import Alert, alert_id, escalation_level


def raised(aid: str) -> AlertRaised:
    return AlertRaised(alert_id=aid, rule_id="disbursement.awaiting_approval", rule_version=1, severity="warning",
                       subject_kind="disbursement", subject_id="d-1", district="120119", village_code="120119001001",
                       audience=["finance_officer"], raised_on=date(2022, 5, 16), cause_event_id=None,
                       title="t", figures={"days": 15})


def test_the_id_names_rule_subject_and_episode():
    a = alert_id("r", "village", "v1", "e1")
    assert a == alert_id("r", "village", "v1", "e1")
    assert len({a, alert_id("r", "village", "v1", "e2"), alert_id("r", "village", "v2", "e1"),
                alert_id("q", "village", "v1", "e1")}) == 4


def test_raise_escalate_clear_are_idempotent():
    alert = Alert("a1")
    assert alert.raise_(raised("a1")) and not alert.raise_(raised("a1"))
    assert alert.escalate(1, ["city_office"], date(2022, 5, 21))
    assert not alert.escalate(1, ["city_office"], date(2022, 5, 22))
    assert alert.escalate(2, ["city_office"], date(2022, 5, 26))
    cause = uuid4()
    assert alert.clear(date(2022, 5, 27), cause) and not alert.clear(date(2022, 5, 28), cause)
    assert not alert.escalate(3, ["city_office"], date(2022, 6, 1))
    assert [type(e).__name__ for e in alert.pending] == ["AlertRaised", "AlertEscalated", "AlertEscalated",
                                                         "AlertResolved"]


def test_acknowledged_stops_escalation_and_by_hand_needs_an_open_alert():
    note = Sealed.clear("alert-a1", "处理中 / on it")
    with pytest.raises(NotFound):
        Alert("a1").acknowledge("u", date(2022, 5, 17), note)
    alert = Alert("a1")
    alert.raise_(raised("a1"))
    alert.acknowledge("u", date(2022, 5, 17), note)
    with pytest.raises(Conflict):
        alert.acknowledge("u", date(2022, 5, 17), note)
    assert not alert.escalate(1, ["city_office"], date(2022, 5, 30))
    alert.resolve_by_hand("u", date(2022, 5, 18), note)
    with pytest.raises(Conflict):
        alert.resolve_by_hand("u", date(2022, 5, 18), note)


def test_escalation_levels_count_business_days_up_to_the_ceiling():
    assert [escalation_level(n, 5, 10) for n in (0, 4, 5, 9, 10, 15)] == [0, 0, 1, 1, 2, 3]
    assert [escalation_level(n, 5, 2) for n in (9, 10, 15, 1250)] == [1, 2, 2, 2]
    assert escalation_level(100, None, 3) == 0


def test_scope():
    city = AlertScope("c", "city_office:c", may_resolve=True)
    district = AlertScope("d", "district_official:d", district="120119", may_resolve=True)
    unit = AlertScope("u", "unit:u", villages=("120119001001",), teams=("t1",))
    assert city.sees(None, None, None) and city.sees("120221", None, None)
    assert district.sees("120119", "120119009009", None) and not district.sees("120221", None, None)
    assert not district.sees(None, None, None)  # operations alerts are the city office's
    assert unit.sees("120119", "120119001001", None) and unit.sees(None, None, "t1")
    assert not unit.sees("120119", "120119001002", None)
    with pytest.raises(NotFound):
        unit.ensure_sees("a", "120119", "120119001002", None)
    with pytest.raises(Forbidden):
        unit.ensure_may_resolve()
