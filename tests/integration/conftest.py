"""Fixtures shared by the integration tests: a fresh event store of their own."""

from __future__ import annotations

import pytest

from shared.eventstore import EventStore
from tests.support.db import dispose, fresh_store_pool


@pytest.fixture
async def store(settings):
    """An ``EventStore`` (source ``test``) on a fresh, migrated database, dropped afterwards."""
    name, pool = await fresh_store_pool(settings, "es")
    yield EventStore(pool, "test")
    await dispose(settings, name, pool)
