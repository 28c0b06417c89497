"""One suite for both implementations of the constraint tables registry's handlers reach through
the unit of work: ``PgConstraints`` (the tables and their keys in PostgreSQL) and its in-memory
twin of ``adapters/memory.py`` that the handlers' unit tests are given. The same calls get the
same answers and the same refusals (type, field and message)."""

from __future__ import annotations

import pytest

from shared.eventstore.errors import Conflict

from services.registry.adapters.constraints import PgConstraints
from services.registry.adapters.memory import InMemoryConstraints
from services.registry.adapters.schema import CHAIN
from tests.support.db import dispose, fresh_store_pool


@pytest.fixture(scope="module")
async def pool(settings):
    name, pool = await fresh_store_pool(settings, "reg_adapters", max_size=2, chain=CHAIN)
    yield pool
    await dispose(settings, name, pool)


@pytest.fixture(params=["postgresql", "memory"])
async def tables(request, pool):
    if request.param == "memory":
        yield InMemoryConstraints()
        return
    async with pool.acquire() as conn:
        transaction = conn.transaction()  # each test's rows are rolled back: one database serves them all
        await transaction.start()
        yield PgConstraints(conn)
        await transaction.rollback()


async def refused(tables, act) -> tuple[str | None, str]:
    """The conflict a change meets; in PostgreSQL under a savepoint, so the test goes on."""
    with pytest.raises(Conflict) as conflict:
        if isinstance(tables, PgConstraints):
            async with tables.conn.transaction():
                await act()
        else:
            await act()
    return conflict.value.field, conflict.value.message


async def test_a_village_has_one_team(tables):
    await tables.link_villages([("120119001001", "t1", "120119"), ("120119001002", "t1", "120119")])
    assert await tables.teams_of_villages(["120119001001", "120119009999"]) == {"120119001001": "t1"}
    field, message = await refused(tables, lambda: tables.link_villages([("120119001001", "t2", "120119")]))
    assert field == "village_code" and "already has team t1" in message
    field, message = await refused(tables, lambda: tables.link_villages([("120119001002", "t1", "120119")]))
    assert field == "village_code" and "just assigned" in message
    assert await tables.unlink_villages(["120119001001", "120119009999"]) == {"120119001001": ("t1", "120119")}
    await tables.link_villages([("120119001001", "t2", "120119")])
    assert await tables.teams_of_villages(["120119001001", "120119001002"]) == {"120119001001": "t2",
                                                                               "120119001002": "t1"}


async def test_a_cadre_is_in_one_team_at_a_time(tables):
    await tables.join_cadres("t1", ["c1", "c2"], "member_ids")
    field, message = await refused(tables, lambda: tables.join_cadres("t2", ["c3", "c2"], "add"))
    assert field == "add" and "cadre c2 is in team t1" in message
    field, message = await refused(tables, lambda: tables.join_cadres("t1", ["c1"], "add"))
    assert field == "add" and "just joined" in message
    await tables.leave_cadres("t1", ["c2"])
    await tables.leave_cadres("t2", ["c1"])  # not that team's: stays
    await tables.join_cadres("t2", ["c2"], "add")
    assert await tables.teams_of_cadres(["c1", "c2", "c9"]) == {"c1": "t1", "c2": "t2"}


async def test_a_unit_takes_part_in_two_teams_at_most_and_a_dissolved_team_frees_its_places(tables):
    await tables.take_unit_slots("t1", ["u1", "u2"])
    await tables.take_unit_slots("t2", ["u2", "u1"])
    field, message = await refused(tables, lambda: tables.take_unit_slots("t3", ["u3", "u1"]))
    assert field == "partner_unit_ids" and "unit u1 already takes part in two teams" in message and "t1、t2" in message
    field, message = await refused(tables, lambda: tables.take_unit_slots("t4", ["u4", "u4"]))
    assert field == "lead_unit_id" and "retry" in message
    await tables.join_cadres("t1", ["c1"], "member_ids")
    await tables.link_villages([("120119001001", "t1", "120119")])
    await tables.release_team("t1")
    assert await tables.teams_of_cadres(["c1"]) == {} and await tables.teams_of_villages(["120119001001"]) == {}
    await tables.take_unit_slots("t3", ["u1"])  # the slot t1 left
    field, _ = await refused(tables, lambda: tables.take_unit_slots("t5", ["u1"]))
    assert field == "lead_unit_id"
