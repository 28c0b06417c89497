"""One suite for both implementations of funding's balance rows: the PostgreSQL adapter
(``PgBalances``, CHECK constraints in the service's migrations) and its in-memory twin that the handlers'
unit tests use (``adapters/memory.py``). The same calls get the same answers and the same
refusals, so a handler test in memory says what the database would."""

from __future__ import annotations

from shared.eventstore.errors import DomainError

from services.funding.adapters.balances import PgBalances
from services.funding.adapters.memory import InMemoryBalances
from services.funding.adapters.schema import CHAIN
from services.funding.domain.limits import AllocationFigures, LineFigures
from tests.support.contract import module_database, over_both, refusal

VILLAGE = "120119000001"


pool = module_database("funding_rows", CHAIN)


rows = over_both(InMemoryBalances, PgBalances)


async def refused(rows, act) -> str:
    """The constraint a change breaks."""
    breach = await refusal(rows.conn if isinstance(rows, PgBalances) else None, act, DomainError)
    return breach.context["constraint"]


def plain(records) -> list[dict]:
    return [dict(r) for r in records]


async def allocated(rows) -> None:
    """A line of 1,000 yuan; A-1 of 600 on it for project P-1 in three tranches (the first payable
    now, the others on milestones M-1 and M-2); A-2 of 100, untranched."""
    assert await rows.insert_line("L-1", "district", 2022, "city", 100_000)
    await rows.move_line("L-1", allocated=70_000)
    for allocation_id, amount, released, project in (("A-1", 60_000, 10_000, "P-1"), ("A-2", 10_000, 10_000, None)):
        assert await rows.insert_allocation(allocation_id=allocation_id, line_id="L-1", village_code=VILLAGE,
                                            district=VILLAGE[:6], project_id=project, amount_fen=amount,
                                            released_fen=released)
    for no, amount, milestone in ((1, 10_000, None), (2, 20_000, "M-1"), (3, 30_000, "M-2")):
        await rows.insert_tranche("A-1", no, amount, milestone)
    await rows.open_village(VILLAGE, VILLAGE[:6])
    await rows.move_village(VILLAGE, allocated=70_000)
    await rows.open_project("P-1", VILLAGE)
    await rows.move_project("P-1", allocated=60_000)


async def test_rows_are_inserted_once_and_read_back_as_figures(rows):
    await allocated(rows)
    assert not await rows.insert_line("L-1", "district", 2022, "city", 1)
    assert not await rows.insert_allocation(allocation_id="A-1", line_id="L-1", village_code=VILLAGE,
                                            district=VILLAGE[:6], project_id=None, amount_fen=1, released_fen=1)
    assert await rows.lock_line("L-1") == LineFigures("L-1", "city", 100_000, 70_000, 0)
    assert await rows.lock_line("L-9") is None and await rows.lock_allocation("A-9") is None
    assert await rows.lock_allocation("A-1") == AllocationFigures("A-1", 60_000, 10_000, 0, 0)
    assert dict(await rows.allocation_keys("A-1")) == {"line_id": "L-1", "project_id": "P-1", "village_code": VILLAGE}
    assert [(t.tranche_no, t.released, t.milestone_id) for t in (await rows.lock_tranches("A-1")).values()] == [
        (1, True, None), (2, False, "M-1"), (3, False, "M-2")]


async def test_moves_keep_every_invariant_of_the_schema(rows):
    await allocated(rows)
    assert await refused(rows, lambda: rows.move_line("L-1", allocated=30_001)) == "line_allocated_within_appropriated"
    assert await refused(rows, lambda: rows.move_line("L-1", paid=70_001)) == "line_paid_within_allocated"
    assert await refused(rows, lambda: rows.move_allocation("A-1", committed=10_001)) == \
        "allocation_spent_within_released"
    assert await refused(rows, lambda: rows.move_allocation("A-1", released=50_001)) == \
        "allocation_released_within_amount"
    assert await refused(rows, lambda: rows.move_tranche("A-1", 2, committed=1)) == "tranche_spent_only_when_released"
    assert await refused(rows, lambda: rows.move_tranche("A-1", 1, paid=10_001)) == "tranche_spent_within_amount"
    assert await refused(rows, lambda: rows.move_village(VILLAGE, paid=70_001)) == "village_paid_within_allocated"
    assert await refused(rows, lambda: rows.move_project("P-1", paid=60_001)) == "project_paid_within_allocated"
    after = await rows.move_allocation("A-1", committed=4_000, paid=6_000)
    assert (after.spent_fen, after.payable_fen) == (10_000, 0)
    assert (await rows.move_line("L-1", paid=6_000)).paid_fen == 6_000
    cancelled = await rows.move_allocation("A-2", amount=-10_000, released=-10_000, cancel=True)
    assert cancelled.cancelled and cancelled.amount_fen == 0


async def test_what_waits_on_milestones_is_found_alike(rows):
    await allocated(rows)
    assert plain(await rows.waiting_on([("P-1", "M-1"), ("P-1", "M-9")])) == [{"allocation_id": "A-1", "line_id": "L-1"}]
    assert await rows.unreleased_allocations("P-1", "M-2") == ["A-1"]
    assert plain(await rows.withdrawable("P-1", ["M-2"])) == [{"allocation_id": "A-1", "line_id": "L-1"}]
    await rows.move_tranche("A-1", 2, release=True)
    await rows.move_tranche("A-1", 3, amount=-30_000)
    assert await rows.unreleased_allocations("P-1", "M-1") == []
    assert plain(await rows.withdrawable("P-1", None)) == []  # what is left unreleased is empty
    assert plain(await rows.open_allocations([VILLAGE])) == [
        {"allocation_id": "A-1", "village_code": VILLAGE, "paid_fen": 0},
        {"allocation_id": "A-2", "village_code": VILLAGE, "paid_fen": 0}]
