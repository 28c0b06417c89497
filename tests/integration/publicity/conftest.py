"""One scenario fed into a fresh database per test module."""

from __future__ import annotations

import pytest

from tests.integration.publicity.support import fed


@pytest.fixture(scope="module")
async def world(settings):
    """``(scenario, feeder, connection)`` with the scenario projected."""
    async with fed(settings, "pubstats") as w, w.pool.acquire() as conn:
        yield w.scenario, w.feeder, conn
