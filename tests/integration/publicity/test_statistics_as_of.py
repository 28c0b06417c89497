"""Every statistic as of a date, from the dated facts; each figure traced to its events.

The projections run against the real PostgreSQL; the events are fed as deliveries.
"""

from __future__ import annotations

from services.publicity.domain.asof import parse_as_of
from services.publicity.queries import (
    assessment,
    cadres,
    designation,
    figures,
    headline,
    income,
    low_income,
    money,
    network,
    projects,
    story,
)
from services.publicity.queries.figures import Scope


def on(day: str):
    return parse_as_of(day, now=None)  # type: ignore[arg-type]



def row(table: list[dict], code: str) -> dict:
    return next(r for r in table if r["code"] == code)


async def test_designation_counts_only_what_was_true_then(world):
    s, _, conn = world
    before = await designation.summary(conn, on("2021-02-28"))
    after = await designation.summary(conn, on("2021-03-01"))
    assert (before["city"], after["city"]) == ({"registered": 4, "designated": 0}, {"registered": 4, "designated": 2})
    assert row(after["districts"], s.district)["designated"] == 1 and row(after["districts"], s.other)["designated"] == 1
    assert before["screening"] is None
    assert after["screening"]["cutoff_average_yuan"] == "60000.00" and after["screening"]["quota"] == 2
    ranked = await designation.ranked(conn, on("2021-12-31"), district=None, designated_only=False, limit=10,
                                      offset=0)
    assert [(r["code"], r["rank"], r["designated"]) for r in ranked["items"]] == [
        (s.a, 1, True), (s.d, 2, True), (s.c, 3, False), (s.b, 4, False)]
    assert ranked["items"][0]["average_yuan"] == "50000.00" and ranked["items"][0]["name"]


async def test_network_coverage_follows_the_assignment_date(world):
    s, _, conn = world
    march = await network.coverage(conn, on("2021-03-31"))
    april = await network.coverage(conn, on("2021-04-01"))
    assert (march["city"]["weak_with_team"], march["city"]["weak_without_team"]) == (0, 2)
    assert (april["city"]["weak_with_team"], april["city"]["weak_without_team"]) == (1, 1)
    assert march["city"]["teams_without_village"] == 1 and april["city"]["teams_with_1_village"] == 1
    # Lead unit (city level) and partner unit (district) each take part in one team.
    assert april["city"]["units_with_1_team"] == 2 and row(april["districts"], s.district)["units_with_1_team"] == 1
    assert april["city"]["first_secretaries_untrained"] == 1
    assert (await network.coverage(conn, on("2021-04-05")))["city"]["first_secretaries_trained"] == 1


async def test_money_by_stage_and_rate(world):
    s, _, conn = world
    mid = await money.money(conn, on("2021-06-15"))
    end = await money.money(conn, on("2021-07-01"))
    assert (mid["city"]["allocated"], mid["city"]["approved_unpaid"], mid["city"]["disbursed"]) == (
        "300000.00", "100000.00", "0.00")
    assert (end["city"]["disbursed"], end["city"]["awaiting_approval"]) == ("100000.00", "50000.00")
    assert end["city"]["appropriated"] == "1000000.00" and end["city"]["disbursement_rate_pct"] == "33.3"
    assert row(end["districts"], s.district)["disbursed"] == "100000.00"
    assert end["sources"][0]["key"] == "city_special" and end["tasks"][0]["key"] == "1"
    village = await money.villages(conn, on("2021-07-01"), s.district)
    assert [(v["key"], v["disbursed"]) for v in village] == [(s.a, "100000.00")]


async def test_projects_and_overdue_milestones(world):
    _, _, conn = world
    june = await projects.projects(conn, on("2021-06-15"))
    october = await projects.projects(conn, on("2021-10-01"))
    april = await projects.projects(conn, on("2022-04-01"))
    industry = lambda r: next(a for a in r["actions"] if a["code"] == "industry")  # noqa: E731
    assert (industry(june)["planned"], industry(june)["in_progress"]) == (1, 0)
    assert (industry(october)["in_progress"], industry(october)["overdue_milestones"]) == (1, 0)
    assert industry(april)["overdue_milestones"] == 1 and industry(april)["tasks"][0]["overdue_milestones"] == 1


async def test_income_against_target_and_city_growth(world):
    s, _, conn = world
    assert (await income.income(conn, on("2022-01-14")))["collective"] == []
    found = await income.income(conn, on("2022-01-31"))
    year = found["collective"][0]
    assert year["year"] == 2021 and year["city"]["weak_reported"] == 2 and year["city"]["weak_at_target"] == 1
    growth = next(g for g in found["farmers"] if g["year"] == 2021)
    # (17,000 + 15,000) / (15,000 + 14,000) - 1 = 10.34 % against the city's 10.6 %.
    assert (growth["weak_growth_pct"], growth["city_growth_pct"], growth["faster_than_city"]) == ("10.34", "10.6", False)


async def test_low_income_eligible_covered_and_gap_counts(world):
    s, _, conn = world
    found = await low_income.low_income(conn, on("2021-06-01"))
    assert found["city"] == {"eligible": 2, "covered": 1, "gap": 1}
    assert {c["cover"]: c["gap"] for c in found["covers"]}["education_aid"] == 1
    gaps = await low_income.gaps(conn, on("2021-06-01"))
    assert gaps == [{"village": s.a, "name": gaps[0]["name"], "district": s.district, "gap": 1,
                     "by_cover": {"medical_insurance": 0, "education_aid": 1, "housing_renovation": 0}}]
    assert (await low_income.low_income(conn, on("2021-05-05")))["city"] == {"eligible": 2, "covered": 0, "gap": 2}


async def test_cadres_aggregates(world):
    s, _, conn = world
    found = await cadres.cadres(conn, on("2021-06-30"))
    assert found["city"]["cadres_stationed"] == 2 and found["city"]["insured"] == 1
    assert (found["city"]["presence_days"], found["city"]["leave_days"]) == (3, 3)
    assert found["city"]["allowances_yuan"] == "200.00"
    assert [m["month"] for m in found["months"]] == ["2021-04", "2021-05"]
    # The policy ran out on 2022-03-31.
    assert (await cadres.cadres(conn, on("2022-04-01")))["city"]["insured"] == 0


async def test_published_assessment(world):
    s, _, conn = world
    assert (await assessment.assessment(conn, on("2022-01-31")))["results"] == []
    found = await assessment.assessment(conn, on("2022-02-01"))
    assert found["year"] == 2021 and found["grades"]["team"]["优秀"] == 1
    assert {(r["subject_kind"], r["grade"]) for r in found["results"]} == {("team", "优秀"), ("unit", "良好")}


async def test_headline(world):
    _, _, conn = world
    h = await headline.headline(conn, on("2022-02-01"))
    assert h == {
        "villages_registered": 4, "villages_designated": 2, "teams_stationed": 1, "income_year": 2021,
        "villages_at_income_target": 1, "villages_income_reported": 2, "allocated_yuan": "300000.00",
        "disbursed_yuan": "100000.00", "disbursement_rate_pct": "33.3", "weak_without_team": 1, "low_income_gap": 1,
    }


async def test_every_figure_is_explained_by_its_events(world):
    s, feeder, conn = world
    paid = next(e for e in feeder.recorded if e.type == "DisbursementPaid")
    requested = next(e for e in feeder.recorded if e.type == "DisbursementRequested"
                     and e.payload["disbursement_id"] == s.paid)
    found = await figures.explain(conn, "disbursed", on("2021-07-01"))
    assert found["value"] == 100_000_00
    assert {(e["source"], e["position"], e["event_id"]) for e in found["events"]} == {
        ("funding", paid.global_position, str(paid.event_id)),
        ("funding", requested.global_position, str(requested.event_id))}
    # Before the payment the same figure rests on nothing.
    assert (await figures.explain(conn, "disbursed", on("2021-06-19")))["events"] == []
    with_team = await figures.explain(conn, "weak_with_team", on("2021-05-01"), Scope(village=s.a))
    assert {e["type"] for e in with_team["events"]} == {"VillageDesignated", "TeamAssigned"}


async def test_village_story(world):
    s, _, conn = world
    found = await story.story(conn, s.a, on("2022-04-01"))
    assert found["designation"]["designated"] and found["designation"]["rank"] == 1
    assert found["teams"][0]["team_id"] == s.team and found["teams"][0]["first_secretary_trained"]
    assert found["money"]["disbursed"] == "100000.00"
    assert found["projects"][0]["milestones_overdue"] == 1
    assert found["income"][-1]["collective_yuan"] == "250000.00"
    assert {c["cover"]: (c["eligible"], c["covered"]) for c in found["low_income"]}["education_aid"] == (1, 0)
    assert await story.story(conn, s.a, on("2021-01-01")) is None


async def test_timeline_is_the_figure_at_each_month_end(world):
    from datetime import date

    from services.publicity.queries.timeline import series

    s, _, conn = world
    points = await series(conn, "villages_designated", date(2021, 1, 1), date(2021, 4, 15), Scope())
    assert [(p["date"], int(p["value"])) for p in points] == [
        ("2021-01-31", 0), ("2021-02-28", 0), ("2021-03-31", 2), ("2021-04-15", 2)]
    paid = await series(conn, "disbursed", date(2021, 5, 1), date(2021, 6, 30), Scope(village=s.a))
    assert [int(p["value"]) for p in paid] == [0, 100_000_00]
