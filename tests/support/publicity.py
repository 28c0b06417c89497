"""Publicity's read models fed a whole scenario, for the integration tests that read them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from shared.config import Settings
from tests.support.db import dispose, fresh_store_pool
from services.publicity.adapters.schema import CHAIN


@contextlib.asynccontextmanager
async def fed_world(settings: Settings, label: str, steps: Callable | None = None,
                    *, max_size: int = 5) -> AsyncIterator[tuple]:
    """``(scenario, feeder, pool)``: a fresh database with publicity's projections set up and
    ``steps(scenario)`` fed (the scenario's own steps by default); dropped afterwards."""
    from tests.integration.publicity.model import Feeder
    from tests.integration.publicity.scenario import Scenario

    name, pool = await fresh_store_pool(settings, label, max_size=max_size, chain=CHAIN)
    try:
        feeder = Feeder(pool)
        scenario = Scenario()
        await feeder.feed((steps or Scenario.steps)(scenario))
        yield scenario, feeder, pool
    finally:
        await dispose(settings, name, pool)
