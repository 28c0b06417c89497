"""Who reads what (BRIEF §4): district officials their district, units and first secretaries
their teams' villages, and the gap list, evidence files and unpublished results only to
those who need them — through the routes, on the real PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from shared.http.auth import Principal, Role

from services.assessment.domain.assessment import ComputeAssessment, PublishAssessment, ReviewAssessment
from services.assessment.handlers import assessments
from tests.integration.assessment.api import bearer, client
from tests.integration.assessment.scenario import (
    ASSESSOR,
    REVIEWER,
    TEAM1,
    TEAM9,
    V1,
    V2,
    V9,
    another_district,
    year_2022,
)
from tests.integration.assessment.world import CITY, World, fresh_world

OFFICIAL = Principal(subject="sun", role=Role.district_official, district="120119")
FINANCE = Principal(subject="qian", role=Role.finance_officer, district="120119")
UNIT1 = Principal(subject="u1", role=Role.unit, unit="U-1")
UNIT9 = Principal(subject="u9", role=Role.unit, unit="U-9")
ASSESSOR_120110 = Principal(subject="feng", role=Role.assessor, district="120110")
INSPECTOR = Principal(subject="chu", role=Role.inspector)
PHOTO = b"\x89PNG the road of village nine"


def person(person_id: str, village: str) -> dict:
    return {"person_id": person_id, "household_id": f"H-{person_id}", "village_code": village,
            "eligible_for": ["medical_insurance"]}


async def in_two_districts(world: World) -> None:
    """A project, people and findings in both districts, and an evidence file for village nine."""
    city = bearer(CITY)
    async with client(world) as api:
        plan = {"project_id": "P-9", "village_code": V9, "task_no": 4, "title": "村道", "planned_start": "2022-03-01",
                "planned_end": "2022-10-31",
                "milestones": [{"milestone_id": "m1", "title": "完工", "due_on": "2022-05-31"}]}
        finding = [{"finding_id": "f1", "text": "台账不全", "deadline": "2022-06-30"}]
        for path, body in (("/projects", plan), *(("/low-income/persons", person(f"LP-000{n}", v))
                                                  for n, v in ((1, V1), (2, V2), (9, V9))),
                           ("/inspections", {"inspection_id": "I-1", "target_kind": "team", "target_id": "T-1",
                                             "inspected_on": "2022-06-01", "findings": finding}),
                           ("/inspections", {"inspection_id": "I-9", "target_kind": "village", "target_id": V9,
                                             "inspected_on": "2022-06-01", "findings": finding})):
            r = await api.post(path, json=body, headers=city | {"X-Occurred-At": "2022-03-01T10:00:00+08:00"})
            assert r.status_code == 201, r.text
        r = await api.post("/projects/P-9/milestones/m1/report-files", data={"evidence_text": "路面完工"},
                           files={"files": ("road.png", PHOTO, "image/png")},
                           headers=bearer(TEAM9) | {"X-Occurred-At": "2022-05-20T10:00:00+08:00"})
        assert r.status_code == 201, r.text
    await world.sync()
    world.photo = r.json()["evidence_sha256"][0]


@pytest.fixture(scope="module")  # read-only tests: one world for all
async def world(settings):
    async with fresh_world(settings, "ars", year_2022, another_district, in_two_districts) as world:
        yield world


async def get(world: World, who: Principal, path: str, **params):
    async with client(world) as api:
        return await api.get(path, params={"as_of": "2022-12-31", **params}, headers=bearer(who))


def villages_in(body: dict, key: str = "village_code") -> set[str]:
    return {item[key] for item in body["items"]}


@pytest.mark.parametrize(("who", "visible"), [
    (CITY, {V1, V2, V9}), (INSPECTOR, {V1, V2, V9}), (OFFICIAL, {V1, V2}), (FINANCE, {V1, V2}),
    (ASSESSOR_120110, {V9}), (TEAM1, {V1}), (TEAM9, {V9}), (UNIT1, {V1, V2}), (UNIT9, {V9}),
])
async def test_lists_hold_only_the_readers_district_or_villages(world, who, visible):
    projects = await get(world, who, "/projects")
    assert projects.status_code == 200 and villages_in(projects.json()) == visible & {V1, V9}, projects.text
    assert villages_in((await get(world, who, "/milestones/overdue")).json()) == visible & {V1, V9}
    summary = (await get(world, who, "/projects/summary")).json()["tasks"]
    assert sum(t["projects"] for t in summary) == len(visible & {V1, V9})
    elsewhere = "120110" if V1 in visible else "120119"  # asking for another district finds only what is visible
    assert villages_in((await get(world, who, "/projects", district=elsewhere)).json()) <= visible
    findings = (await get(world, who, "/inspections/findings")).json()["items"]
    assert {f["inspection_id"] for f in findings} == {i for i, v in (("I-1", V1), ("I-9", V9)) if v in visible}
    checks = (await get(world, who, "/incomes/2022/checks", as_of="2023-01-31")).json()
    assert {v["village_code"] for v in checks["villages"]} == visible


@pytest.mark.parametrize(("who", "status"), [
    (CITY, 200), (TEAM9, 200), (UNIT9, 200), (ASSESSOR_120110, 200), (INSPECTOR, 200),
    (OFFICIAL, 403), (TEAM1, 403), (UNIT1, 403), (FINANCE, 403),
])
async def test_one_project_and_its_evidence_only_within_scope(world, who, status):
    assert (await get(world, who, "/projects/P-9")).status_code == status
    download = await get(world, who, f"/evidence/{world.photo}")
    assert download.status_code == status, download.text
    if status == 200:
        assert download.content == PHOTO
    assert (await get(world, who, "/inspections/I-9")).status_code == status


@pytest.mark.parametrize(("who", "people"), [
    (CITY, {"LP-0001", "LP-0002", "LP-0009"}), (OFFICIAL, {"LP-0001", "LP-0002"}), (TEAM1, {"LP-0001"}),
    (UNIT1, {"LP-0001", "LP-0002"}), (UNIT9, {"LP-0009"}), (ASSESSOR, {"LP-0001", "LP-0002", "LP-0009"}),
    (ASSESSOR_120110, {"LP-0009"}),
])
async def test_the_gap_list_names_only_people_of_the_readers_villages(world, who, people):
    r = await get(world, who, "/low-income/gaps")
    assert r.status_code == 200, r.text
    assert {g["person_id"] for v in r.json()["villages"] for g in v["gaps"]} == people
    assert r.json()["gaps_total"] == len(people)


async def test_finance_officers_read_neither_the_gap_list_nor_evidence(world):
    assert (await get(world, FINANCE, "/low-income/gaps")).status_code == 403
    assert (await get(world, FINANCE, f"/evidence/{world.photo}")).status_code == 403


async def test_tokens_without_their_scope_read_nothing(world):
    for who in (Principal(subject="x", role=Role.district_official), Principal(subject="y", role=Role.unit),
                Principal(subject="z", role=Role.first_secretary)):
        r = await get(world, who, "/projects")
        assert r.status_code == 403, r.text
        assert r.json()["detail"] == [{"loc": ["header", "Authorization"], "msg": r.json()["detail"][0]["msg"],
                                       "type": "Forbidden"}] and " / the token names no " in r.text


async def test_unpublished_results_and_marks_stay_with_assessors_until_published(world):
    await world.command(lambda uow: assessments.compute(uow, ComputeAssessment(as_of=date(2023, 1, 31)),
                                                        ASSESSOR, year=2022), day=date(2023, 2, 1))
    for who in (OFFICIAL, TEAM1, UNIT1, FINANCE, INSPECTOR):
        r = await get(world, who, "/assessments/2022")
        assert r.status_code == 200 and r.json() == {"year": 2022, "published": False, "as_of": None,
                                                     "results": None}, r.text
    full = (await get(world, ASSESSOR, "/assessments/2022")).json()
    assert full["status"] == "computed" and full["latest"]["results"] and "marks" in full

    await world.command(lambda uow: assessments.review(uow, ReviewAssessment(as_of=date(2023, 1, 31),
                                                                             approved=True), REVIEWER, year=2022))
    await world.command(lambda uow: assessments.publish(uow, PublishAssessment(as_of=date(2023, 1, 31)), year=2022))
    public = (await get(world, OFFICIAL, "/assessments/2022")).json()
    assert public["published"] is True and public["results"] == full["latest"]["results"]
    assert "marks" not in public and "review" not in public
