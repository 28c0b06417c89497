"""A screening run over more villages than one event may carry: the registry's paged events,
fed to publicity's projections, give the whole ranked list and no event above the limit."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from shared.contracts import registry as R
from shared.eventstore.errors import MAX_EVENT_BYTES
from shared.reference.places import DISTRICTS

from services.publicity.adapters.schema import CHAIN
from services.publicity.domain.asof import parse_as_of
from services.publicity.queries import designation
from services.registry.domain.screening import Baseline, ScreeningRun, rank
from tests.integration.publicity.model import Feeder
from tests.integration.publicity.scenario import Step
from tests.support.db import dispose, fresh_store_pool

VILLAGES = 8_100


@pytest.fixture
async def fed(settings):
    name, pool = await fresh_store_pool(settings, "pubpages", max_size=4, chain=CHAIN)
    feeder = Feeder(pool)
    yield feeder, pool
    await dispose(settings, name, pool)


async def test_8100_villages_ranked_in_pages_reach_the_ranked_list_whole(fed):
    feeder, pool = fed
    districts = list(DISTRICTS)
    baselines = [Baseline(f"{districts[i % 9]}{900_000 + i:06d}", districts[i % 9],
                          {"2018": 10_000 + 7 * i, "2019": 20_000 + 7 * i, "2020": 30_000 + 7 * i})
                 for i in range(VILLAGES)]
    registered, screened = datetime(2021, 1, 10, tzinfo=UTC), datetime(2021, 3, 1, tzinfo=UTC)
    steps = [Step("registry", f"village-{b.code}", registered, R.VillageRegistered(
        code=b.code, name=f"村{b.code[-4:]}", district=b.district, town="测试镇", village_type="agriculture",
        income_fen=b.income_fen)) for b in baselines]
    run = ScreeningRun("run-paged")
    run.complete(rank(baselines, 800), 800, None)
    assert [type(e).__name__ for e in run.pending] == ["ScreeningRankedPage"] * 17 + ["ScreeningCompleted"]
    sizes = [len(orjson.dumps(e.model_dump(mode="json"))) for e in run.pending]
    assert max(sizes) <= MAX_EVENT_BYTES, max(sizes)
    steps += [Step("registry", run.stream_id, screened, e) for e in run.pending]
    await feeder.feed(steps)

    async with pool.acquire() as conn:
        asof = parse_as_of("2021-12-31", now=None)  # type: ignore[arg-type]
        everything = await designation.ranked(conn, asof, district=None, designated_only=False, limit=1000, offset=0)
        weak = await designation.ranked(conn, asof, district=None, designated_only=True, limit=1000, offset=0)
        last = await designation.ranked(conn, asof, district=None, designated_only=False, limit=10, offset=8_095)
        summary = await designation.summary(conn, asof)
    assert everything["total"] == VILLAGES and weak["total"] == 800
    assert [r["rank"] for r in everything["items"]] == list(range(1, 1001))
    assert [r["rank"] for r in last["items"]] == list(range(8_096, 8_101))
    assert (summary["screening"]["quota"], summary["screening"]["considered"], summary["screening"]["designated"]) == (
        800, VILLAGES, 800)
