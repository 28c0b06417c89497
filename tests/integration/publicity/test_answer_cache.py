"""Statistics answers over HTTP, in process, on the real PostgreSQL: ETag and 304, a new event
changing both, one computation for many concurrent readers, and no entry shared across scopes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest

from shared.contracts import registry as R
from shared.http.auth import Principal, Role, issue_token

from services.publicity.domain.asof import parse_as_of
from services.publicity.entrypoints.routes.caching import answers_of
from services.publicity.queries import designation, headline, money
from services.publicity.queries.positions import log_positions
from tests.integration.publicity.scenario import Step
from tests.integration.publicity.support import fed, statistics_client

PAST = "2021-12-31"


@pytest.fixture
async def world(settings):
    # The figures are compared exactly with the queries': read as the city office, which sees
    # counts of people unrounded (the public's answers are tested in test_disclosure.py).
    official = {"Authorization": f"Bearer {issue_token(settings, Principal(subject='t', role=Role.city_office))}"}
    async with fed(settings, "pubcache", max_size=10) as w, \
            statistics_client(w.pool, timeout=30, headers=official) as (app, client):
        yield SimpleNamespace(scenario=w.scenario, feeder=w.feeder, pool=w.pool, client=client, app=app)


async def direct(pool, query, day: str, **kw) -> dict:
    """The same figures straight from the queries, no cache: what every answer must equal."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        return {"log_positions": await log_positions(conn), **await query(conn, parse_as_of(day, now=None), **kw)}


def figures_of(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in ("as_of", "cutoff", "day")}


async def test_etag_round_trip_and_304(world):
    c = world.client
    first = await c.get("/stats/money", params={"as_of": PAST})
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"')
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert figures_of(first.json()) == await direct(world.pool, money.money, PAST, district=None)
    again = await c.get("/stats/money", params={"as_of": PAST}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == first.headers["ETag"]
    other = await c.get("/stats/money", params={"as_of": PAST}, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.json() == first.json()
    # every statistics and open-data answer carries one
    for path in ("/stats/headline", "/stats/designation", "/stats/coverage", "/stats/income", "/stats/projects",
                 "/stats/low-income", "/stats/timeline/villages_designated", f"/stats/villages/{world.scenario.a}",
                 "/open-data/statistics.json", "/open-data/statistics.csv", "/open-data/iati-activities.xml",
                 "/stats/overview", "/stats/figures/villages_designated", "/stats/explain/villages_designated"):
        answer = await c.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert (await c.get(path, headers={"If-None-Match": answer.headers["ETag"]})).status_code == 304, path


async def test_an_event_applied_changes_the_etag_and_the_answer(world):
    c, s = world.client, world.scenario
    before = await c.get("/stats/designation", params={"as_of": PAST})
    code = f"{s.district}{int(s.a[-6:]) + 500_000:06d}"[-12:]
    await world.feeder.feed([Step("registry", f"village-{code}", datetime(2021, 2, 1, tzinfo=UTC), R.VillageRegistered(
        code=code, name="新登记村", district=s.district, town="测试镇", village_type="agriculture",
        income_fen={"2018": 1, "2019": 1, "2020": 1}))])
    after = await c.get("/stats/designation", params={"as_of": PAST},
                        headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.json()["city"]["registered"] == before.json()["city"]["registered"] + 1
    assert figures_of(after.json()) == await direct(world.pool, designation.summary, PAST, district=None)


async def test_concurrent_readers_cause_one_computation(world):
    c = world.client
    cache = _answers(world).cache
    fills = cache.fills
    got = await asyncio.gather(*(c.get("/stats/headline", params={"as_of": PAST}) for _ in range(40)))
    assert {r.status_code for r in got} == {200}
    assert len({r.content for r in got}) == 1
    assert cache.fills == fills + 1
    assert got[0].json()["headline"] == await _headline(world.pool, PAST)


def _answers(world):
    return answers_of(SimpleNamespace(app=world.app))


async def _headline(pool, day: str) -> dict:
    async with pool.acquire() as conn:
        return await headline.headline(conn, parse_as_of(day, now=None), None)


async def test_scope_never_leaks_between_entries(world):
    c, s = world.client, world.scenario
    answers = {}
    for district in (s.district, s.other, None, s.district):
        params = {"as_of": PAST} | ({"district": district} if district else {})
        got = await c.get("/stats/money", params=params)
        assert figures_of(got.json()) == await direct(world.pool, money.money, PAST, district=district), district
        answers.setdefault(district, set()).add((got.headers["ETag"], got.content))
    assert len(answers[s.district]) == 1  # the same answer twice, from the cache
    etags = {next(iter(v))[0] for v in answers.values()}
    assert len(etags) == 3
    # a reader with credentials never shares a public entry
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=world.app), base_url="http://publicity") as anyone:
        public = await anyone.get("/stats/money", params={"as_of": PAST})
        token = await anyone.get("/stats/money", params={"as_of": PAST}, headers={"Authorization": "Bearer x"})
    assert public.headers["ETag"] != token.headers["ETag"] and public.json() == token.json()


async def test_an_answer_as_of_now_is_restated_for_each_instant(world):
    c = world.client
    first = await c.get("/stats/headline")
    await asyncio.sleep(0.01)
    fills = _answers(world).cache.fills
    second = await c.get("/stats/headline")
    assert _answers(world).cache.fills == fills  # from the cache
    assert second.json()["as_of"] > first.json()["as_of"]  # as of the instant asked
    assert figures_of(second.json()) == figures_of(first.json())
    assert second.headers["ETag"] == first.headers["ETag"]
    csv = await c.get("/open-data/statistics.csv")
    assert csv.headers["X-As-Of"] in csv.text and "\ue000" not in csv.text


async def test_a_fact_dated_in_the_future_is_never_served_from_before_it(world):
    c, s = world.client, world.scenario
    soon = datetime.now(UTC) + timedelta(seconds=1.5)
    code = f"{s.other}{int(s.d[-6:]) + 400_000:06d}"[-12:]
    await world.feeder.feed([Step("registry", f"village-{code}", soon, R.VillageRegistered(
        code=code, name="未来村", district=s.other, town="测试镇", village_type="agriculture",
        income_fen={"2018": 1, "2019": 1, "2020": 1}))])
    before = await c.get("/stats/designation")
    assert "ETag" not in before.headers  # not kept: a fact takes effect later today
    await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    after = await c.get("/stats/designation")
    assert after.json()["city"]["registered"] == before.json()["city"]["registered"] + 1
