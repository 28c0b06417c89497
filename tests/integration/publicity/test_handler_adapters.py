"""One suite for both implementations of what publicity's handlers look up through the unit of
work: the directory (``PgDirectory``, over the statistics' read models) and the images
(``PgImages``), in PostgreSQL and as the in-memory twins of ``adapters/memory.py`` that the
handlers' unit tests are given. The same calls get the same answers."""

from __future__ import annotations

import hashlib

import pytest

from services.publicity.adapters.directory import PgDirectory
from services.publicity.adapters.images import PgImages
from services.publicity.adapters.memory import InMemoryDirectory, InMemoryImages
from tests.integration.publicity.scenario import Scenario
from tests.support.contract import BOTH, rolled_back
from tests.integration.publicity.support import fed


def heard_so_far(scenario: Scenario):
    """Four villages registered (a, b, c, d), the run ranking them, a and d designated."""
    return scenario.steps()[:7]


@pytest.fixture(scope="module")
async def world(settings):
    async with fed(settings, "pub_adapters", max_size=2, steps=heard_so_far) as w:
        yield w


@pytest.fixture(params=BOTH)
async def kept(request, world):
    """(directory, images, scenario) as the scenario's first seven events left them."""
    s = world.scenario
    if request.param == "memory":
        directory = InMemoryDirectory({s.a, s.b, s.c, s.d})
        directory.runs[s.run] = [(s.a, True), (s.d, True), (s.c, False), (s.b, False)]
        directory.designated = {s.a, s.d}
        directory.positions["registry"] = 7
        yield directory, InMemoryImages(), s
        return
    async with rolled_back(world.pool) as conn:
        yield PgDirectory(conn), PgImages(conn), s


async def test_runs_designations_and_registered_villages_are_heard_alike(kept):
    directory, _, s = kept
    assert await directory.run_exists(s.run) and not await directory.run_exists("run-none")
    assert await directory.run_designated(s.run) == [s.a, s.d]  # in rank order
    assert await directory.run_designated("run-none") == []
    assert await directory.designated_now() == sorted([s.a, s.d])
    assert await directory.unregistered([s.b, "120119999999", s.d]) == ["120119999999"]
    assert await directory.village_registered(s.c) and not await directory.village_registered("120119999999")
    _, positions = await directory.drawn_now()
    assert positions == {"registry": 7, "funding": 0, "assessment": 0}


async def test_an_image_is_kept_once_under_its_hash(kept):
    _, images, _ = kept
    content = b"\x89PNG adapter"
    sha = hashlib.sha256(content).hexdigest()
    assert await images.store(sha, "image/png", content) is True
    assert await images.store(sha, "image/png", content) is False
    assert await images.uploaded([sha, "0" * 64]) == {sha}
    assert await images.uploaded([]) == set()
