"""Statistics end to end: events committed in registry, funding and assessment stores, relayed
through the real broker, projected by publicity's worker, read over HTTP as of any date."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.e2e.publicity.support import append, exact, get, wait_until
from tests.integration.publicity.scenario import Scenario

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def world(stack, settings):
    scenario = Scenario()
    recorded = await append(settings, scenario.steps())

    def caught_up():
        story = exact(stack, f"/stats/villages/{scenario.a}", as_of="2022-04-01")["village"]
        return (story["money"]["disbursed"] == "100000.00" and story["income"]
                and story["low_income"][0]["covered"] == 1) and story
    wait_until(caught_up, timeout=60, what="the scenario in the statistics")
    return scenario, recorded


def figure(stack, metric: str, **params) -> int | str:
    return get(stack, f"/stats/figures/{metric}", **params)["value"]


def test_figures_as_of_dates(stack, world):
    s, _ = world
    assert figure(stack, "villages_designated", village=s.a, as_of="2021-02-28") == 0
    assert figure(stack, "villages_designated", village=s.a, as_of="2021-03-01") == 1
    assert figure(stack, "weak_without_team", village=s.a, as_of="2021-03-31") == 1
    assert figure(stack, "weak_with_team", village=s.a, as_of="2021-04-01T10:00:00+00:00") == 1
    assert figure(stack, "weak_with_team", village=s.a, as_of="2021-04-01T09:59:59+00:00") == 0
    assert figure(stack, "disbursed", village=s.a, as_of="2021-06-19") == "0.00"
    assert figure(stack, "disbursed", village=s.a, as_of="2021-06-20") == "100000.00"
    assert figure(stack, "awaiting_approval", village=s.a, dim="source:city_special") == "50000.00"
    grouped = exact(stack, "/stats/figures/low_income_eligible", village=s.a, by="covered", as_of="2021-06-01")
    assert {g["covered"]: g["value"] for g in grouped["groups"]} == {"yes": 1, "no": 1}
    public = get(stack, "/stats/figures/low_income_eligible", village=s.a, by="covered", as_of="2021-06-01")
    assert {g["covered"]: g["value"] for g in public["groups"]} == {"yes": None, "no": None}  # one person each
    assert set(grouped["log_positions"]) == {"registry", "funding", "assessment"}
    assert all(p > 0 for p in grouped["log_positions"].values())


def test_domain_statistics_endpoints_answer_by_district(stack, world):
    s, _ = world
    for path in ("/stats/headline", "/stats/designation", "/stats/coverage", "/stats/income", "/stats/money",
                 "/stats/projects", "/stats/low-income", "/stats/cadres", "/stats/assessment",
                 "/stats/designation/ranked", "/stats/low-income/gaps", "/stats/money/villages"):
        body = get(stack, path, as_of="2022-04-01")
        assert body["day"] == "2022-04-01" and "log_positions" in body, path
    money = get(stack, "/stats/money", district=s.district, as_of="2021-07-01")
    row = next(d for d in money["districts"] if d["code"] == s.district)
    assert float(row["disbursed"]) >= 100000 and money["city"]["disbursed"] == row["disbursed"]
    assessment = get(stack, "/stats/assessment", as_of="2022-02-01", year=2021)
    assert any(r["subject_id"] == s.team and r["grade"] == "优秀" for r in assessment["results"])
    ranked = get(stack, "/stats/designation/ranked", as_of="2021-03-01", designated_only="true")
    assert ranked["screening"] is not None and ranked["total"] >= 1


async def test_explain_lists_the_events_with_their_log_positions(stack, world, settings):
    s, recorded = world
    paid = next(e for e in recorded if e.type == "DisbursementPaid" and e.payload["disbursement_id"] == s.paid)
    conn = await asyncpg.connect(settings.dsn("funding"))
    try:
        position = await conn.fetchval(
            "select l.position from es.log l join es.events e on e.id = l.event_row where e.event_id = $1",
            paid.event_id)
    finally:
        await conn.close()
    found = get(stack, "/stats/explain/disbursed", village=s.a, as_of="2021-07-01")
    assert found["value"] == "100000.00"
    assert {"source": "funding", "position": position, "event_id": str(paid.event_id), "type": "DisbursementPaid",
            "occurred_at": found["events"][-1]["occurred_at"]} in found["events"]
    assert get(stack, "/stats/explain/disbursed", village=s.a, as_of="2021-06-19")["events"] == []


@pytest.mark.parametrize(("path", "params", "status", "loc"), [
    ("/stats/money", {"as_of": "2021-13-01"}, 422, ["query", "as_of"]),
    ("/stats/money", {"as_of": "yesterday"}, 422, ["query", "as_of"]),
    ("/stats/coverage", {"district": "和平区"}, 422, ["query", "district"]),
    ("/stats/figures/no_such_metric", {}, 404, ["path", "metric"]),
    ("/stats/figures/disbursed", {"by": "colour"}, 422, ["query", "by"]),
    ("/stats/explain/disbursed", {"dim": "colour:red"}, 422, ["query", "dim"]),
    ("/stats/villages/120119000000", {}, 404, ["path", "code"]),
])
def test_bad_queries_get_field_level_errors(stack, path, params, status, loc):
    r = httpx.get(stack.url("publicity") + path, params=params, timeout=10)
    assert r.status_code == status, r.text
    assert r.json()["detail"][0]["loc"] == loc


async def test_rebuilt_statistics_equal_the_live_ones(stack, world, settings):
    from shared.db import create_pool
    from shared.projections import ProjectionRunner

    from services.publicity.projections.statistics import StatisticsProjection

    wait_until(lambda: all(p["events_behind"] == 0 for p in get(stack, "/stats/lag")["projections"]),
               timeout=60, what="the projections to catch up")
    pool = await create_pool(settings.dsn("publicity"), max_size=2)
    try:
        projection = StatisticsProjection()
        runner = ProjectionRunner(pool, projection, {s: settings.topic(s) for s in projection.sources})

        async def model() -> dict:
            snap = await runner.snapshot()
            # Change numbers keep counting up through a rebuild (so feed clients never go back); the rest is equal.
            snap["stats.changes"] = sorted(row[1:] for row in snap["stats.changes"])
            return snap

        live = await model()
        replayed = await runner.rebuild(settings)
        assert replayed > 0 and await model() == live
    finally:
        await pool.close()
