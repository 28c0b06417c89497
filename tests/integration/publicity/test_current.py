"""Each key's latest fact as the statistics projection keeps it (``stats.current``) is the one
picked from the facts, and the running tallies (``stats.tallies``) are the sums over those,
through every undoing event (a team rotated away, a payment reversed, a designation revoked…),
an allowance computed again, a check-in restated, a back-dated correction and a batch holding a
key twice, by either way in (COPY, one statement); figures read from them equal those from the
facts, and a fact dated after the cut-off sends them back to the facts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from shared.contracts import registry as R

from services.publicity.adapters.schema import CHAIN
from services.publicity.projections.tallies import TALLIED
from services.publicity.domain.asof import parse_as_of
from services.publicity.queries.facts_sql import Kept, as_known_at, from_current, kept_for
from services.publicity.queries.figures import grouped_each, total
from services.publicity.queries.metrics import CATALOGUE
from services.publicity.queries.open_data import statistic_rows
from tests.integration.publicity.model import Feeder
from tests.integration.publicity.scenario import Scenario, Step, at
from tests.integration.publicity.undo import BEFORE, undo_steps
from tests.support.db import dispose, fresh_store_pool

NOW = "2023-01-01"
COLUMNS = "kind, key, at, position, seq, source, event_id, event_type, district, village, value"


def on(day: str):
    return parse_as_of(day, now=None)  # type: ignore[arg-type]


async def assert_kept_is_latest(conn) -> int:
    kept = await conn.fetch(f"select {COLUMNS} from stats.current order by kind, key")
    picked = await conn.fetch(f"""select distinct on (kind, key) {COLUMNS} from stats.facts
                                  order by kind, key, at desc, position desc, seq desc""")
    assert [tuple(r) for r in kept] == [tuple(r) for r in picked]
    await assert_tallies_are_sums(conn)
    return len(kept)


async def assert_tallies_are_sums(conn) -> None:
    """Each tally is the sum over the kept latest facts of its kind (summed afresh here), none
    below zero; its last day is at least the latest day summed (it never moves back)."""
    summed = " union all ".join(
        f"""select '{kind}' as kind, {district} as district, {village} as village, {team} as team_id,
                   {month} as month, count(*) as rows, sum({amount}) as amount, max({last}) as last_day
            from stats.current f where f.kind = '{kind}' group by 2, 3, 4, 5"""
        for kind, (district, village, team, month, amount, last) in TALLIED.items())
    order = "order by kind, district, village, team_id, month"
    afresh = await conn.fetch(f"select * from ({summed}) s {order}")
    kept = await conn.fetch(f"select * from stats.tallies where rows <> 0 {order}")
    assert [tuple(r)[:-1] for r in kept] == [tuple(r)[:-1] for r in afresh]
    assert all(k["last_day"] is None or k["last_day"] >= a["last_day"] for k, a in zip(kept, afresh, strict=True))
    assert await conn.fetchval("select count(*) from stats.tallies where rows < 0 or (rows = 0 and amount <> 0)") == 0


async def assignment(conn, s: Scenario):
    return await conn.fetchval("select value from stats.current where kind = 'assignment' and key = $1",
                               f"{s.team}:{s.a}")


def ordered(each: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {k: sorted(rows, key=lambda r, k=k: str(r[k])) for k, rows in each.items()}


async def tally(conn, kind: str) -> dict:
    return {(r["village"] or r["team_id"], r["month"]): (r["rows"], r["amount"]) for r in await conn.fetch(
        "select * from stats.tallies where kind = $1 and rows <> 0", kind)}


@pytest.fixture(scope="module")
async def world(settings):
    """``(scenario, feeder, connection)``: the scenario by COPY, each undoing event alone, then
    a back-dated assignment and a batch that assigns and unassigns."""
    name, pool = await fresh_store_pool(settings, "pubcurrent", max_size=4, chain=CHAIN)
    try:
        feeder, s = Feeder(pool), Scenario()
        statistics = next(r.projection for r in feeder.runners if r.projection.name == "statistics")
        statistics.copy_from = 1  # this instance only: the scenario goes in by COPY
        try:
            await feeder.feed(s.steps())
        finally:
            del statistics.copy_from
        async with pool.acquire() as conn:
            yield s, feeder, conn
    finally:
        await dispose(settings, name, pool)


async def test_the_scenario_by_copy_keeps_each_keys_latest(world):
    s, _, conn = world
    assert await assert_kept_is_latest(conn) > 40
    assert (await assignment(conn, s))["active"] is True


async def test_every_undoing_event_alone_keeps_each_keys_latest(world):
    s, feeder, conn = world
    for step in undo_steps(s):
        await feeder.feed([step])
        await assert_kept_is_latest(conn)
    assert (await assignment(conn, s))["active"] is False  # the team rotated away
    revoked = await conn.fetchval("select value from stats.current where kind = 'designation' and key = $1", s.d)
    assert revoked["designated"] is False
    reversed_ = await conn.fetchval("select value from stats.current where kind = 'disbursement_status' "
                                    "and key = $1", s.paid)
    assert reversed_["status"] != "paid"


async def test_an_allowance_computed_again_and_a_check_in_restated_move_their_tallies(world):
    s, feeder, conn = world
    before = await tally(conn, "allowance")
    assert before[(s.team, "2021-04")] == (1, 200_00)
    presence = next(st for st in s.steps() if isinstance(st.event, R.CadrePresenceLogged))
    # The same cadre and month (one key) computed again, and the same check-in restated in village b.
    await feeder.feed([Step("registry", f"cadre-{s.cadre1}", at("2022-05-05"), R.AllowanceComputed(
        cadre_id=s.cadre1, team_id=s.team, month="2021-04", presence_days=3, amount_fen=300_00))])
    await feeder.feed([replace(presence, occurred_at=at("2022-05-06"),
                               event=presence.event.model_copy(update={"village_code": s.b}))])
    await assert_kept_is_latest(conn)
    assert (await tally(conn, "allowance"))[(s.team, "2021-04")] == (1, 300_00)
    month = presence.event.day.isoformat()[:7]
    moved = await tally(conn, "presence")
    assert moved[(s.b, month)] == (1, 1)
    assert (await tally(conn, "presence")).get((s.a, month), (0, 0))[0] == sum(
        1 for st in s.steps() if isinstance(st.event, R.CadrePresenceLogged)
        and st.event.day.isoformat()[:7] == month) - 1


async def test_a_back_dated_fact_does_not_replace_a_later_one(world):
    s, feeder, conn = world
    assigned = next(st for st in s.steps() if isinstance(st.event, R.TeamAssigned))
    # Recorded last, dated before the unassignment (2022-03-10): history, not the present.
    await feeder.feed([replace(assigned, occurred_at=at(BEFORE))])
    await assert_kept_is_latest(conn)
    assert (await assignment(conn, s))["active"] is False


async def test_a_batch_with_a_key_twice_keeps_the_later_in_business_time(world):
    s, feeder, conn = world
    assigned = next(st for st in s.steps() if isinstance(st.event, R.TeamAssigned))
    unassigned = Step("registry", f"team-{s.team}", at("2022-06-02"), R.TeamUnassigned(
        team_id=s.team, village_code=s.a, district=s.district, reason="轮换 / rotated"))
    # The unassignment comes first in the log but is the later in business time.
    await feeder.feed([unassigned, replace(assigned, occurred_at=at("2022-06-01"))])
    await assert_kept_is_latest(conn)
    assert (await assignment(conn, s))["active"] is False
    await feeder.feed([replace(assigned, occurred_at=at("2022-06-03")), unassigned])
    await assert_kept_is_latest(conn)
    assert (await assignment(conn, s))["active"] is True


async def test_each_metrics_rows_from_the_kept_latest_equal_those_from_the_facts(world):
    _, _, conn = world
    when = on(NOW)
    assert (await kept_for(conn, when)).latest  # every fact lies before it
    assert not (await kept_for(conn, on(BEFORE))).latest
    for m in CATALOGUE.values():
        # Both parameters, as figures run every metric, whether the kept latest still uses the cut-off or not.
        sql = """select district, village, dims::text, value, refs::text from ({}) m
                 where $1::timestamptz is not null and $2::date is not null order by 1, 2, 3, 4, 5"""
        from_facts = await conn.fetch(sql.format(m.sql), when.cutoff, when.day)
        from_kept = await conn.fetch(sql.format(from_current(m.sql)), when.cutoff, when.day)
        assert [tuple(r) for r in from_kept] == [tuple(r) for r in from_facts], m.name


async def test_the_open_data_rows_are_the_same_either_way(world):
    _, _, conn = world
    assert (await kept_for(conn, on(NOW))).latest
    # Limited to no position at all, an answer reads the facts: the path the kept latest replaces.
    from_facts = await statistic_rows(as_known_at(conn, ()), on(NOW))
    assert await statistic_rows(conn, on(NOW)) == from_facts
    assert any(r["value"] not in (0, "0.00") for r in from_facts)


@pytest.mark.parametrize("name", ["presence_days", "allowances"])
async def test_the_tallied_figures_equal_those_from_the_facts(world, name):
    s, _, conn = world
    keys = ("district", "village", *CATALOGUE[name].breakdowns)
    assert CATALOGUE[name].tallied
    from_facts = ordered(await grouped_each(as_known_at(conn, ()), name, on(NOW), keys))
    assert ordered(await grouped_each(conn, name, on(NOW), keys)) == from_facts  # rows: how many facts, too
    assert sum(r["rows"] for r in from_facts["district"]) > 0


async def test_a_check_in_for_a_day_after_the_cut_off_sends_the_tally_back_to_the_facts(world):
    s, feeder, conn = world
    days = await total(conn, "presence_days", on(NOW))
    # Logged ahead of the day it is for (recorded before the cut-off, the day after it).
    presence = next(st for st in s.steps() if isinstance(st.event, R.CadrePresenceLogged))
    await feeder.feed([replace(presence, occurred_at=at("2022-07-01"),
                               event=presence.event.model_copy(update={"day": date(2023, 2, 1)}))])
    await assert_kept_is_latest(conn)
    assert await kept_for(conn, on(NOW)) == Kept(latest=True, tallies=False)
    assert await total(conn, "presence_days", on(NOW)) == days
    assert ordered(await grouped_each(conn, "presence_days", on(NOW), ("month",))) == ordered(await grouped_each(
        as_known_at(conn, ()), "presence_days", on(NOW), ("month",)))
    assert await total(conn, "presence_days", on("2023-02-01")) == days + 1


async def test_a_fact_dated_after_the_cut_off_sends_the_figures_back_to_the_facts(world):
    s, feeder, conn = world
    assert await total(conn, "villages_designated", on(NOW)) == 1
    await feeder.feed([Step("registry", f"village-{s.a}", at("2024-01-10"), R.DesignationRevoked(
        code=s.a, district=s.district, run_id=f"{s.run}-2", reason="未来撤销 / revoked later"))])
    await assert_kept_is_latest(conn)
    assert not (await kept_for(conn, on(NOW))).latest
    # As of now village a is still designated: the revocation kept as its latest lies ahead.
    assert await total(conn, "villages_designated", on(NOW)) == 1
    assert await total(conn, "villages_designated", on("2024-02-01")) == 0
