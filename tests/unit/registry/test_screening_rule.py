"""The screening rule as a pure function, and re-derivation of a recorded run."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.eventstore.errors import Conflict, DomainError

from services.registry.domain.screening import (
    Baseline,
    ScreeningRun,
    average_fen,
    check_supersedes,
    difference,
    rank,
    rederive,
)


def village(code: str, *incomes: int) -> Baseline:
    return Baseline(code, code[:6], dict(zip(("2018", "2019", "2020"), incomes, strict=True)))


def test_average_is_floored_to_the_fen_in_integers():
    assert average_fen({"2018": 100, "2019": 100, "2020": 101}) == 100
    assert average_fen({"2018": 0, "2019": 0, "2020": 2}) == 0


def test_bottom_first_ties_by_code_and_cutoff_is_the_nth_average():
    villages = [village("120119000003", 30, 30, 30), village("120119000001", 10, 10, 10),
                village("120119000002", 10, 10, 10), village("120119000004", 40, 40, 40)]
    result = rank(villages, 3)
    assert [r.code for r in result.ranked] == ["120119000001", "120119000002", "120119000003", "120119000004"]
    assert [r.rank for r in result.ranked] == [1, 2, 3, 4]
    assert result.designated == ["120119000001", "120119000002", "120119000003"] and result.cutoff_average_fen == 30
    assert rank(villages, 10).designated == [r.code for r in result.ranked]  # a quota above the register


def test_no_villages_is_an_error():
    with pytest.raises(DomainError):
        rank([], 800)


@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**9)), min_size=1, max_size=60),
       st.integers(1, 80), st.randoms())
def test_order_of_inputs_never_matters(incomes, quota, rnd):
    villages = [village(f"120119{i:06d}", *inc) for i, inc in enumerate(incomes)]
    shuffled = villages[:]
    rnd.shuffle(shuffled)
    assert rank(villages, quota) == rank(shuffled, quota)


def completed(n: int = 50, quota: int = 20):
    rnd = random.Random(7)
    villages = [village(f"120119{i:06d}", *(rnd.randrange(0, 400_000_00) for _ in range(3))) for i in range(n)]
    return ScreeningRun("r1").complete(rank(villages, quota), quota, None)


def test_a_recorded_run_rederives_to_the_same_list():
    event = completed()
    again = rederive(event)
    assert again.matches and again.designated == 20 and again.cutoff_average_fen == event.cutoff_average_fen


def test_a_run_whose_record_was_altered_does_not_rederive():
    event = completed()
    swapped = event.model_copy(update={"designated": [*event.designated[:-1], event.ranked[-1].code]})
    assert not rederive(swapped).matches
    cheaper = event.ranked[0].model_copy(update={"income_fen": {"2018": 10**10, "2019": 0, "2020": 0}})
    assert not rederive(event.model_copy(update={"ranked": [cheaper, *event.ranked[1:]]})).matches
    with pytest.raises(DomainError):
        rederive(event.model_copy(update={"rule_version": 99}))


def test_difference_lists_villages_in_and_out():
    assert difference(["a", "b", "c"], ["b", "c", "d"]) == (["d"], ["a"])


def test_a_new_run_must_name_the_run_in_force():
    event = completed()
    check_supersedes(None, None)
    check_supersedes("r1", event)
    with pytest.raises(Conflict):
        check_supersedes(None, event)
    with pytest.raises(Conflict):
        check_supersedes("r0", event)
    with pytest.raises(DomainError):
        check_supersedes("r0", None)
