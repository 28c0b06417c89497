"""The registry's handlers against a fresh PostgreSQL database (event store + constraint tables)."""

from __future__ import annotations

import pytest

from shared.eventstore import CommandMeta, EventStore
from shared.http.auth import Principal, Role

from services.registry.adapters.schema import CHAIN
from services.registry.domain.commands import ImportVillages
from services.registry.handlers.access import Access
from tests.support.db import dispose, fresh_store_pool

@pytest.fixture
async def store(settings):
    name, pool = await fresh_store_pool(settings, "reg", chain=CHAIN)
    yield EventStore(pool, "registry")
    await dispose(settings, name, pool)


CITY = Access(Principal(subject="office", role=Role.city_office))


def official(district: str) -> Access:
    return Access(Principal(subject=f"official-{district}", role=Role.district_official, district=district))


async def run(store: EventStore, handler, *args, meta: CommandMeta | None = None, key: str | None = None, **kwargs):
    """Execute one handler as a command in its own transaction; returns its result."""
    done = await store.execute(handler.__name__, {"args": repr(args)}, meta or CommandMeta(actor="test:office"),
                               lambda uow: handler(uow, *args, **kwargs), key)
    return done.result


def importing(partial: bool) -> ImportVillages:
    """The command an import runs with, beside its table (the route names the file by its digest)."""
    return ImportVillages(sha256="0" * 64, partial=partial)


async def count_events(store: EventStore, event_type: str | None = None) -> int:
    async with store.pool.acquire() as conn:
        return await conn.fetchval("select count(*) from es.events where $1::text is null or type = $1", event_type)
