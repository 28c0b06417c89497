"""The facts' watermark: the highest position of a source up to which every event has been
applied, whatever order the partitions deliver them in."""

from __future__ import annotations

from datetime import date

import pytest

from shared.contracts.registry import CadrePresenceLogged
from tests.support.db import dispose, fresh_store_pool

from services.assessment.adapters.schema import CHAIN
from services.assessment.adapters.facts import watermarks
from tests.integration.assessment.world import World

DAY = date(2022, 5, 1)


@pytest.fixture
async def world(settings):
    name, pool = await fresh_store_pool(settings, "afw", chain=CHAIN)
    yield await World(pool).setup()
    await dispose(settings, name, pool)


def presence(n: int) -> CadrePresenceLogged:
    return CadrePresenceLogged(cadre_id=f"c{n}", team_id="T-1", village_code="120119001001", day=DAY,
                               togethers=["eat"])


async def marks(world: World) -> dict[str, int]:
    async with world.pool.acquire() as conn:
        return await watermarks(conn)


async def test_the_watermark_waits_for_a_gap_and_then_jumps_over_what_arrived_early(world):
    first, second, third, fourth = (world.foreign_event("registry", presence(n), DAY) for n in range(4))
    await world.deliver(first, partition=0)
    await world.deliver(third, partition=1)  # partition 1 runs ahead of partition 0
    await world.deliver(fourth, partition=1)
    assert (await marks(world))["registry"] == 1
    await world.deliver(second, partition=0)
    assert await marks(world) == {"assessment": 0, "registry": 4, "funding": 0}
    async with world.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from af.early") == 0
        assert await conn.fetchval("select count(*) from af.presence") == 4


async def test_a_redelivered_event_has_no_second_effect(world):
    event = await world.foreign("registry", presence(1), DAY)
    # Delivered again under a new offset (the relay re-sent it): the runner steps over it.
    await world.deliver(event)
    assert (await marks(world))["registry"] == 1
    async with world.pool.acquire() as conn:
        assert await conn.fetchval("select count(*) from af.presence") == 1
