"""Marks go only to subjects the register copy knows, and an assessor whose token names a
district acts only there — marks included; a year's computation and its review, and marks on
a district (the city assesses the districts), are for city-level assessors."""

from __future__ import annotations

import pytest

from shared.http.auth import Principal, Role

from tests.integration.assessment.api import AS_OF, bearer, client, recorded_on, world_fixture
from tests.integration.assessment.scenario import ASSESSOR, REVIEWER, another_district, year_2022
from tests.integration.assessment.world import World

ASSESSOR_120110 = Principal(subject="feng", role=Role.assessor, district="120110")
ON = recorded_on("2023-02-01T10:00:00+08:00")


world = world_fixture("amk", year_2022, another_district, scope="module")


async def events(world: World) -> int:
    return len(await world.store.read_stream(None, "assessment-2022"))


async def mark(world: World, who: Principal, kind: str, subject: str):
    async with client(world) as api:
        return await api.post("/assessments/2022/marks", headers=bearer(who),
                              json={"subject_kind": kind, "subject_id": subject, "mark": "80"})


@pytest.mark.parametrize(("kind", "subject"), [("team", "T-404"), ("unit", "U-404"), ("district", "120199"),
                                               ("unit", "T-1"), ("team", "U-1")])
async def test_a_mark_for_an_unknown_subject_is_refused_on_the_field(world, kind, subject):
    before = await events(world)
    r = await mark(world, ASSESSOR, kind, subject)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "subject_id"], r.text
    assert await events(world) == before


@pytest.mark.parametrize(("who", "kind", "subject", "status"), [
    (ASSESSOR, "team", "T-1", 201), (ASSESSOR, "unit", "U-9", 201), (ASSESSOR, "district", "120119", 201),
    (ASSESSOR_120110, "team", "T-9", 201), (ASSESSOR_120110, "unit", "U-9", 201),
    (ASSESSOR_120110, "team", "T-1", 403), (ASSESSOR_120110, "unit", "U-1", 403),
    (ASSESSOR_120110, "district", "120110", 403), (ASSESSOR_120110, "district", "120119", 403),
])
async def test_a_district_scoped_assessor_marks_only_within_the_district(world, who, kind, subject, status):
    before = await events(world)
    r = await mark(world, who, kind, subject)
    assert r.status_code == status, r.text
    assert await events(world) == before + (status == 201)


async def test_computing_and_reviewing_the_year_are_for_city_level_assessors(world):
    async with client(world) as api:
        before = await events(world)
        r = await api.post("/assessments/2022/compute", json=AS_OF, headers=bearer(ASSESSOR_120110) | ON)
        assert r.status_code == 403 and r.json()["detail"][0]["loc"] == ["body", "as_of"], r.text
        assert await events(world) == before
        await world.sync()  # the marks reached the facts: nothing to wait for
        r = await api.post("/assessments/2022/compute", json=AS_OF, headers=bearer(ASSESSOR) | ON)
        assert r.status_code == 200 and r.json()["recorded"], r.text
        review = AS_OF | {"approved": True}
        assert (await api.post("/assessments/2022/review", json=review,
                               headers=bearer(ASSESSOR_120110))).status_code == 403
        assert (await api.post("/assessments/2022/review", json=review, headers=bearer(REVIEWER))).status_code == 200
