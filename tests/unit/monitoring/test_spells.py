"""The days of a designation no team's service covers (domain/spells.py), and which events
begin and end each such episode, whatever order the spells are given in."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.monitoring.domain.spells import Spell, uncovered


def day(n: int) -> date:
    return date(2022, 1, n)


def uid(n: int) -> UUID:
    return UUID(int=n)


DESIGNATED, REVOKED, A_IN, A_OUT, B_IN, B_OUT = (uid(n) for n in range(1, 7))


def test_a_village_no_team_serves_waits_from_its_designation_until_a_team_comes():
    span = Spell(day(1), None, DESIGNATED)
    assert uncovered(span, []) == [Spell(day(1), None, DESIGNATED)]
    assert uncovered(span, [Spell(day(10), day(20), A_IN, A_OUT)]) == [
        Spell(day(1), day(10), DESIGNATED, A_IN), Spell(day(20), None, A_OUT)]


def test_overlapping_teams_leave_no_gap_and_a_revocation_ends_the_last_wait():
    span = Spell(day(1), day(28), DESIGNATED, REVOKED)
    covers = [Spell(day(15), day(25), B_IN, B_OUT), Spell(day(10), day(20), A_IN, A_OUT)]
    assert uncovered(span, covers) == [Spell(day(1), day(10), DESIGNATED, A_IN),
                                       Spell(day(25), day(28), B_OUT, REVOKED)]
    assert uncovered(span, covers[::-1]) == uncovered(span, covers)


def test_a_team_that_came_and_went_on_one_day_covered_nothing_and_a_service_before_counts_not():
    span = Spell(day(5), None, DESIGNATED)
    assert uncovered(span, [Spell(day(8), day(8), A_IN, A_OUT), Spell(day(1), day(3), B_IN, B_OUT)]) == [
        Spell(day(5), None, DESIGNATED)]


def test_a_team_already_serving_when_the_village_is_designated_leaves_no_wait_until_it_goes():
    assert uncovered(Spell(day(5), None, DESIGNATED), [Spell(day(1), day(9), A_IN, A_OUT)]) == [
        Spell(day(9), None, A_OUT)]
    # Two ends on one day: the least event id, so the same episode whichever was read first.
    assert uncovered(Spell(day(9), None, uid(9)), [Spell(day(1), day(9), A_IN, A_OUT)]) == [
        Spell(day(9), None, A_OUT)]
