"""Kept answers sent before routing (``KeptAnswers``), on the real PostgreSQL: what it sends is
what the route sends, byte for byte, without running the route; everything else — nothing
kept, another reader, a bad parameter, a new state — reaches the route."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
from starlette.middleware import Middleware

from shared.contracts import registry as R

from services.publicity.entrypoints.kept_answers import KeptAnswers
from services.publicity.entrypoints.routes.caching import answers_of
from tests.integration.publicity.scenario import Step
from tests.integration.publicity.support import fed, statistics_app

PAST = "2021-12-31"
AS_OF_FIELDS = ("as_of", "cutoff", "day")


class Reached:
    """Innermost: notes every request that got past ``KeptAnswers`` to the routes."""

    def __init__(self, app, seen: list[str]):
        self.app, self.seen = app, seen

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen.append(scope["path"])
        await self.app(scope, receive, send)


@asynccontextmanager
async def served(pool, middleware: list[Middleware]):
    app = statistics_app(pool, middleware)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publicity") as client:
        yield app, client


@pytest.fixture
async def world(settings):
    async with fed(settings, "pubkept", max_size=10) as w:
        reached = []
        async with served(w.pool, [Middleware(KeptAnswers), Middleware(Reached, seen=reached)]) as (app, client), \
                served(w.pool, []) as (_, plain):
            yield SimpleNamespace(scenario=w.scenario, feeder=w.feeder, app=app, client=client, plain=plain,
                                  reached=reached)


def figures_of(answer: httpx.Response) -> dict:
    return {k: v for k, v in answer.json().items() if k not in AS_OF_FIELDS}


async def twice(world, path: str, **kw) -> tuple[httpx.Response, int]:
    """The second answer to ``path``, and how many of the two requests reached the route."""
    before = len(world.reached)
    await world.client.get(path, **kw)
    second = await world.client.get(path, **kw)
    return second, len(world.reached) - before


async def test_a_kept_answer_is_sent_without_the_route_exactly_as_the_route_sends_it(world):
    # (not the IATI file: it states when it was made, so the route's own copy differs by that)
    for path in ("/stats/money", "/stats/headline", f"/stats/villages/{world.scenario.a}", "/open-data/statistics.csv",
                 "/open-data/statistics.json", "/stats/figures/villages_designated", "/stats/overview"):
        kept, reached = await twice(world, path, params={"as_of": PAST})
        assert reached == 1, path  # the first filled the cache through the route, the second did not need it
        routed = await world.plain.get(path, params={"as_of": PAST})
        assert (kept.status_code, kept.content) == (routed.status_code, routed.content), path
        assert kept.headers.multi_items() == routed.headers.multi_items(), path
        assert kept.headers["ETag"] and kept.headers["Cache-Control"] == "public, no-cache"


async def test_an_answer_as_of_now_is_restated_without_the_route(world):
    first = await world.client.get("/stats/headline")
    kept, reached = await twice(world, "/stats/headline")
    assert reached == 0 and kept.json()["as_of"] > first.json()["as_of"]
    routed = await world.plain.get("/stats/headline")
    assert figures_of(kept) == figures_of(routed) and kept.headers["ETag"] == routed.headers["ETag"]
    assert [k for k, _ in kept.headers.multi_items()] == [k for k, _ in routed.headers.multi_items()]
    csv, reached = await twice(world, "/open-data/statistics.csv")
    assert reached == 1 and csv.headers["X-As-Of"] in csv.text and "\ue000" not in csv.text
    # a route that ignores as_of keeps its answer without a day, and is found as well
    overview, reached = await twice(world, "/stats/overview")
    assert reached == 1 and overview.json() == (await world.plain.get("/stats/overview")).json()


async def test_a_timeline_to_today_or_to_a_given_day_is_kept_and_sent_without_the_route(world):
    cache = answers_of(SimpleNamespace(app=world.app)).cache
    for params in ({}, {"to": PAST}, {"to": PAST, "from": "2021-06-01"}):
        fills = cache.fills
        kept, reached = await twice(world, "/stats/timeline/villages_designated", params=params)
        assert reached == 1 and cache.fills == fills + 1, params
        routed = await world.plain.get("/stats/timeline/villages_designated", params=params)
        assert (kept.content, kept.headers.multi_items()) == (routed.content, routed.headers.multi_items()), params
    bad, reached = await twice(world, "/stats/timeline/villages_designated", params={"to": "2020-01-01"})
    assert bad.status_code == 422 and reached == 2  # before `from`: the route's to refuse, every time


async def test_304_without_the_route(world):
    kept = await world.client.get("/stats/coverage", params={"as_of": PAST})
    before = len(world.reached)
    again = await world.client.get("/stats/coverage", params={"as_of": PAST},
                                   headers={"If-None-Match": kept.headers["ETag"]})
    routed = await world.plain.get("/stats/coverage", params={"as_of": PAST},
                                   headers={"If-None-Match": kept.headers["ETag"]})
    assert again.status_code == routed.status_code == 304 and len(world.reached) == before
    assert again.headers.multi_items() == routed.headers.multi_items() and again.content == b""


async def test_what_only_the_route_can_answer_reaches_it(world):
    c = world.client
    await c.get("/stats/money", params={"as_of": PAST})
    for params in ({"as_of": "not a date"}, {"as_of": PAST, "district": "nowhere"}):
        bad, reached = await twice(world, "/stats/money", params=params)
        assert bad.status_code == 422 and reached == 2, params
    # a reader with credentials: the route every time, so that the token is checked every time
    # (an expired or revoked one must not read what it read before)
    _, reached = await twice(world, "/stats/money", params={"as_of": PAST}, headers={"Authorization": "Bearer x"})
    assert reached == 2
    # a new state of the read model: the route computes the new answer
    before = await c.get("/stats/designation", params={"as_of": PAST})
    s = world.scenario
    code = f"{s.district}{int(s.a[-6:]) + 600_000:06d}"[-12:]
    await world.feeder.feed([Step("registry", f"village-{code}", datetime(2021, 2, 1, tzinfo=UTC), R.VillageRegistered(
        code=code, name="又一新村", district=s.district, town="测试镇", village_type="agriculture",
        income_fen={"2018": 1, "2019": 1, "2020": 1}))])
    reached = len(world.reached)
    after = await c.get("/stats/designation", params={"as_of": PAST})
    assert len(world.reached) == reached + 1
    assert after.json()["city"]["registered"] == before.json()["city"]["registered"] + 1


async def test_repeated_parameters_in_another_order_are_another_request(world):
    """The route reads the last of repeated values: ``district=A&district=B`` asks for B, the
    other order for A, so the two never share an entry (nor an ETag)."""
    s = world.scenario
    one = await world.client.get(f"/stats/money?as_of={PAST}&district={s.district}&district={s.other}")
    other = await world.client.get(f"/stats/money?as_of={PAST}&district={s.other}&district={s.district}")
    assert one.headers["ETag"] != other.headers["ETag"]
    alone = await world.plain.get("/stats/money", params={"as_of": PAST, "district": s.district})
    assert figures_of(other) == figures_of(alone) and figures_of(one) != figures_of(alone)
