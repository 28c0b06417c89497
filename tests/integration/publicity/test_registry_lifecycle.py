"""Publicity follows the registry's lifecycle events: a village's type edited, leave cancelled,
a village graduated (counted as such, its story says why), a team dissolved (gone from every
figure of the network) — now and as of the dates before."""

from __future__ import annotations

from datetime import date

import pytest

from shared.privacy.cipher import new_data_key, seal
from shared.contracts import registry as R

from services.publicity.adapters.schema import CHAIN
from services.publicity.domain.asof import parse_as_of
from services.publicity.queries import story
from services.publicity.queries.figures import Scope, by_key, total
from tests.integration.publicity.model import Feeder
from tests.integration.publicity.scenario import Scenario, Step, at
from tests.support.db import dispose, fresh_store_pool


def on(day: str):
    return parse_as_of(day, now=None)  # type: ignore[arg-type]


def lifecycle(s: Scenario) -> list[Step]:
    """After the scenario's 2021: b becomes a tourism village, a 2022 leave is approved then
    cancelled, a graduates, and the team is dissolved."""
    leave = f"leave-{s.tag}-2022"
    return [
        Step("registry", f"village-{s.b}", at("2022-03-01"), R.VillageAttributesChanged(
            code=s.b, district=s.district, town="新镇", village_type="tourism", needs=["finance"],
            changed=["town", "village_type", "needs"],
            previous=R.VillageAttributes(town="测试镇", village_type="agriculture", needs=[]), reason="产业转型")),
        Step("registry", f"cadre-{s.cadre2}", at("2022-03-10"), R.LeaveApproved(
            leave_id=leave, cadre_id=s.cadre2, team_id=s.team, start=date(2022, 4, 1), end=date(2022, 4, 4), days=4)),
        Step("registry", f"cadre-{s.cadre2}", at("2022-03-20"), R.LeaveCancelled(
            leave_id=leave, cadre_id=s.cadre2, team_id=s.team, start=date(2022, 4, 1), end=date(2022, 4, 4), days=4,
            was="approved", reason=seal(new_data_key(), "cadre-c", "工作需要"))),
        Step("registry", f"village-{s.a}", at("2022-05-01"), R.DesignationRevoked(
            code=s.a, district=s.district, run_id=s.run, reason="2021年收入25万元，达标出列", reason_code="graduated",
            met_target=R.TargetMet(year=2021, income_fen=250_000_00))),
        Step("registry", f"team-{s.team}", at("2022-05-01"), R.TeamUnassigned(
            team_id=s.team, village_code=s.a, district=s.district, reason="达标出列 / graduated")),
        Step("registry", f"team-{s.team}", at("2022-06-01"), R.TeamDissolved(
            team_id=s.team, district=s.district, lead_unit_id=s.unit1, partner_unit_ids=[s.unit2],
            member_ids=[s.cadre2, s.cadre1], first_secretary_id=s.cadre1, villages=[], dissolved_on=date(2022, 6, 1),
            reason="任务完成")),
    ]


@pytest.fixture(scope="module")
async def world(settings):
    name, pool = await fresh_store_pool(settings, "publife", max_size=5, chain=CHAIN)
    feeder = Feeder(pool)
    scenario = Scenario()
    await feeder.feed([*scenario.steps(), *lifecycle(scenario)])
    async with pool.acquire() as conn:
        yield scenario, conn
    await dispose(settings, name, pool)


async def test_a_village_counts_under_its_type_as_last_edited(world):
    s, conn = world
    for day, expected in (("2022-02-28", "agriculture"), ("2022-03-01", "tourism")):
        assert await by_key(conn, "villages_registered", on(day), "village_type", Scope(village=s.b)) == {expected: 1}
    before, after = await story.story(conn, s.b, on("2022-02-28")), await story.story(conn, s.b, on("2022-03-01"))
    assert (before["town"], before["village_type"]) == ("测试镇", "agriculture")
    assert (after["town"], after["village_type"], after["name"]) == ("新镇", "tourism", before["name"])
    assert after["registered_at"] == before["registered_at"]


async def test_village_search_follows_the_town_as_last_edited(world):
    s, conn = world
    found = {v["code"]: v for v in await story.search(conn, "新镇", 50)}
    assert s.b in found and found[s.b]["town"] == "新镇"
    # By its old town it is found no more; its neighbours still are.
    old = {v["code"]: v["town"] for v in await story.search(conn, "测试镇", 1000)}
    assert s.b not in old and old[s.a] == "测试镇"


async def test_cancelled_leave_counts_no_days(world):
    _, conn = world
    assert await total(conn, "leave_days", on("2022-03-15")) == 3 + 4
    assert await total(conn, "leave_days", on("2022-03-20")) == 3


async def test_a_graduated_village_is_counted_as_such_and_its_story_says_why(world):
    s, conn = world
    assert await total(conn, "villages_graduated", on("2022-04-30")) == 0
    assert await total(conn, "villages_graduated", on("2022-05-01")) == 1
    assert await by_key(conn, "villages_graduated", on("2022-05-01"), "year") == {"2021": 1}
    then, now = await story.story(conn, s.a, on("2022-04-30")), await story.story(conn, s.a, on("2022-05-01"))
    assert then["designation"]["designated"] and then["designation"]["ended"] is None
    ended = now["designation"]["ended"]
    assert not now["designation"]["designated"]
    assert (ended["reason_code"], ended["met_target"]) == ("graduated", {"year": 2021, "income_yuan": "250000.00"})


async def test_a_dissolved_team_leaves_every_network_figure(world):
    _, conn = world
    before, after = on("2022-05-31"), on("2022-06-01")
    assert await total(conn, "teams", before) == 1
    assert await by_key(conn, "units", before, "teams") == {"1": 2}
    assert await total(conn, "first_secretaries", before) == 1
    assert await total(conn, "teams", after) == 0
    assert await by_key(conn, "units", after, "teams") == {"0": 2}
    assert await total(conn, "first_secretaries", after) == 0


# An ending overrides what it ends (facts_sql.latest picks each key's latest fact, then filters).
async def test_what_ends_a_designation_an_assignment_or_a_membership_overrides_it(world):
    s, conn = world
    assert await total(conn, "villages_designated", on("2022-05-01")) == 1
    assert await total(conn, "weak_with_team", on("2022-05-01")) == 0
    assert (await story.story(conn, s.a, on("2022-05-01")))["teams"] == []
    assert await by_key(conn, "teams", on("2022-05-31"), "villages") == {"0": 1}
    assert await total(conn, "cadres_stationed", on("2022-05-31")) == 2
    assert await total(conn, "cadres_stationed", on("2022-06-01")) == 0
