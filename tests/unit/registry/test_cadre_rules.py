"""Pure rules of cadre management: leave quota by year, four togethers, allowance, absence."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from shared.eventstore.errors import Conflict, DomainError
from shared.privacy.cipher import Sealer, new_data_key

from services.registry.domain.alerts import absent_days, week_of
from services.registry.domain.cadres import Cadre, DecideLeave, RegisterCadre, RequestLeave, days_by_year
from services.registry.domain.presence import AllowanceLedger, CheckIn


SEAL = Sealer("cadre-c1", new_data_key())


def cadre() -> Cadre:
    c = Cadre("c1")
    c.register(RegisterCadre(cadre_id="c1", unit_id="u1", name="李四", title="副处长"), SEAL)
    return c


def leave(leave_id: str, start: date, end: date) -> RequestLeave:
    return RequestLeave(leave_id=leave_id, start=start, end=end, reason="年休")


def test_leave_days_are_counted_in_the_year_they_fall():
    assert days_by_year(date(2021, 12, 30), date(2022, 1, 2)) == {2021: 2, 2022: 2}


def test_leave_up_to_the_quota_is_approved_and_beyond_it_refused():
    c = cadre()
    c.request_leave(leave("a", date(2021, 12, 27), date(2022, 1, 2)), None, 5, SEAL)  # 5 days in 2021, 2 in 2022
    c.decide_leave("a", DecideLeave(approve=True), None, 5, SEAL)
    assert c.used_days(2021) == 5 and c.used_days(2022) == 2
    with pytest.raises(DomainError):
        c.request_leave(leave("b", date(2021, 3, 1), date(2021, 3, 1)), None, 5, SEAL)
    c.request_leave(leave("c", date(2022, 3, 1), date(2022, 3, 3)), None, 5, SEAL)
    with pytest.raises(Conflict):
        c.request_leave(leave("d", date(2022, 3, 3), date(2022, 3, 4)), None, 5, SEAL)  # overlaps c
    with pytest.raises(Conflict):
        c.decide_leave("a", DecideLeave(approve=True), None, 5, SEAL)  # decided already


def test_a_rejection_needs_a_reason_and_dates_must_be_ordered():
    with pytest.raises(ValidationError):
        DecideLeave(approve=False)
    with pytest.raises(ValidationError):
        leave("x", date(2021, 3, 2), date(2021, 3, 1))


@pytest.mark.parametrize(("written", "codes"), [
    ("吃住学劳", ["eat", "live", "study", "work"]), ("同吃、同住", ["eat", "live"]), (["work", "劳"], ["work"]),
    ("eat,study", ["eat", "study"]),
])
def test_four_togethers_as_written_on_a_sheet(written, codes):
    assert CheckIn(cadre_id="c", village_code="120119000001", day=date(2021, 6, 1), togethers=written).togethers == codes


@pytest.mark.parametrize("written", [["sleep"], [{}], [["eat"]], [None]])  # not only strings: a 422, never a 500
def test_an_unknown_together_is_refused(written):
    with pytest.raises(ValidationError):
        CheckIn(cadre_id="c", village_code="120119000001", day=date(2021, 6, 1), togethers=written)


def test_allowance_is_days_times_rate_and_a_recomputation_records_only_changes():
    ledger = AllowanceLedger("2021-06")
    assert [e.amount_fen for e in ledger.compute({"a": 20, "b": 3}, {"a": "t"}, 8_000)] == [160_000, 24_000]
    assert ledger.compute({"a": 20, "b": 3}, {}, 8_000) == []
    [changed] = ledger.compute({"a": 21, "b": 3}, {}, 8_000)
    assert (changed.cadre_id, changed.amount_fen) == ("a", 168_000)


def test_absence_counts_days_after_the_last_check_in_less_approved_leave():
    entered = date(2021, 6, 1)
    assert absent_days(date(2021, 6, 10), entered, date(2021, 6, 10), []) == 0
    assert absent_days(date(2021, 6, 2), entered, date(2021, 6, 12), []) == 10
    assert absent_days(date(2021, 6, 2), entered, date(2021, 6, 12), [(date(2021, 6, 5), date(2021, 6, 8))]) == 6
    assert absent_days(None, entered, date(2021, 6, 3), []) == 3  # never checked in since entry


def test_week_runs_monday_to_sunday():
    assert week_of(date(2021, 6, 9)) == (date(2021, 6, 7), date(2021, 6, 13))
