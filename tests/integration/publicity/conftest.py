"""One scenario fed into a fresh database per test module."""

from __future__ import annotations

import pytest

from tests.integration.publicity.model import Feeder
from tests.integration.publicity.scenario import Scenario
from tests.support.db import dispose, fresh_store_pool


@pytest.fixture(scope="module")
async def world(settings):
    """``(scenario, feeder, connection)`` with the scenario projected."""
    name, pool = await fresh_store_pool(settings, "pubstats", max_size=5)
    feeder = Feeder(pool)
    await feeder.setup()
    scenario = Scenario()
    await feeder.feed(scenario.steps())
    async with pool.acquire() as conn:
        yield scenario, feeder, conn
    await dispose(settings, name, pool)
