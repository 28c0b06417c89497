"""The assessment API through the running stack: bad input writes nothing, retries have
their effect once, roles, evidence files, as-of lists, inspections and a year's assessment
from computation to publication — re-run after later events with the same scores."""

from __future__ import annotations

import hashlib

import asyncpg
import pytest

from shared.http.auth import Role
from tests.e2e.assessment.support import uid
from tests.e2e.funding.conftest import wait_for

pytestmark = pytest.mark.e2e
YEAR, AS_OF = 2025, "2026-01-31"


def at(day: str) -> dict:
    return {"X-Occurred-At": f"{day}T10:00:00+08:00"}


async def event_count(settings, village: str) -> int:
    """The assessment events about ``village``: a fresh village per test, so that other tests
    writing to the shared stack at the same time do not count."""
    conn = await asyncpg.connect(settings.dsn("assessment"))
    try:
        return await conn.fetchval("select count(*) from es.events where payload->>'village_code' = $1", village)
    finally:
        await conn.close()


def plan(village: str, project: str) -> dict:
    return {"project_id": project, "village_code": village, "task_no": 4, "title": "村内道路硬化",
            "planned_start": "2025-03-01", "planned_end": "2025-11-30",
            "milestones": [{"milestone_id": "M1", "title": "路基", "due_on": "2025-05-31"},
                           {"milestone_id": "M2", "title": "路面", "due_on": "2025-08-31"}]}


@pytest.fixture(scope="module")
async def served(assessment):
    """A village whose team was formed early in the year."""
    return await assessment.village_with_team(formed_at="2025-02-01T09:00:00+08:00")


async def test_the_catalogue_is_seeded_once_and_versions_keep_history(assessment):
    r = await assessment.get("/catalogue", params={"as_of": "2025-06-01"})
    assert r.status_code == 200 and r.json()["catalogue_version"] == 1
    assert sum(len(a["tasks"]) for a in r.json()["actions"]) == 19
    v2 = {"effective_from": "2026-01-01", "actions": r.json()["actions"]}
    v2["actions"][0]["tasks"][0]["name_zh"] = "引进、培育和壮大产业项目"
    assert (await assessment.post("/catalogue/versions", v2, assessment.assessor)).status_code == 403
    early = await assessment.post("/catalogue/versions", v2 | {"effective_from": "2020-12-31"})
    assert early.status_code == 422 and early.json()["detail"][0]["loc"] == ["body", "effective_from"]
    assert (await assessment.post("/catalogue/versions", v2)).status_code == 201
    history = (await assessment.get("/catalogue/history")).json()["versions"]
    assert [v["catalogue_version"] for v in history] == [1, 2]
    names = [(await assessment.get("/catalogue", params={"as_of": day})).json()["actions"][0]["tasks"][0]["name_zh"]
             for day in ("2025-12-31", "2026-01-01")]
    assert names == ["引进和培育产业项目", "引进、培育和壮大产业项目"]


@pytest.mark.parametrize(("path", "change", "field"), [
    ("/projects", {"task_no": 20}, "task_no"),
    ("/projects", {"planned_end": "2025-02-01"}, "body"),
    ("/projects", {"village_code": "120119999999"}, "village_code"),
    ("/incomes/villages", {"collective_income": "-5.00"}, "collective_income"),
    ("/incomes/villages", {"collective_income": "9000000"}, "note"),  # 90× the registered baseline, no note
    ("/incomes/villages", {"collective_income": "1.001"}, "collective_income"),
    ("/low-income/persons", {"person_id": "120119198001011234"}, "person_id"),
])
async def test_bad_input_gets_a_field_level_4xx_and_writes_nothing(assessment, settings, served, path, change, field):
    code, secretary = served.village, served.secretary
    bodies = {"/projects": plan(code, uid("P")),
              "/incomes/villages": {"village_code": code, "year": 2021, "collective_income": "150000"},
              "/low-income/persons": {"person_id": uid("LP"), "household_id": uid("H"), "village_code": code}}
    body = bodies[path] | change
    before = await event_count(settings, body["village_code"])
    r = await assessment.post(path, body, secretary)
    assert 400 <= r.status_code < 500, r.text
    assert r.status_code != 403, r.text
    assert any(field in item["loc"] for item in r.json()["detail"]), r.json()
    assert await event_count(settings, body["village_code"]) == before


async def test_roles_and_the_villages_own_team(assessment, settings, served, token):
    code = served.village
    before = await event_count(settings, code)
    body = plan(code, uid("P"))
    assert (await assessment.post("/projects", body, token(Role.public))).status_code == 403
    assert (await assessment.post("/projects", body, assessment.assessor)).status_code == 403
    stranger = token(Role.first_secretary, subject="someone", team=uid("T"))
    assert (await assessment.post("/projects", body, stranger)).status_code == 403
    other_district = token(Role.district_official, district="120110")
    assert (await assessment.post("/projects", body, other_district)).status_code == 403
    assert await event_count(settings, code) == before


async def test_a_retried_plan_has_its_effect_once(assessment, served):
    code, secretary = served.village, served.secretary
    body, key = plan(code, uid("P")), {"Idempotency-Key": uid("plan")}
    first = await assessment.until_created("/projects", body, secretary | key, "the team known to assessment")
    again = await assessment.post("/projects", body, secretary | key)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    history = await assessment.get(f"/projects/{body['project_id']}")
    assert history.json()["stream_version"] == 1


async def test_evidence_files_are_hashed_kept_and_the_reporter_cannot_verify(assessment, served, token):
    code, secretary = served.village, served.secretary
    body = plan(code, uid("P"))
    await assessment.until_created("/projects", body, secretary, "the team known to assessment")
    photo = b"\x89PNG fake photo of the road base"
    r = await assessment.post(f"/projects/{body['project_id']}/milestones/M1/report-files", None,
                              secretary | at("2025-05-20"),
                              data={"evidence_text": "路基完工"}, files={"files": ("路基.png", photo, "image/png")})
    assert r.status_code == 201, r.text
    digest = hashlib.sha256(photo).hexdigest()
    assert r.json()["evidence_sha256"] == [digest]
    download = await assessment.get(f"/evidence/{digest}")
    assert download.status_code == 200 and download.content == photo
    same_person = token(Role.assessor, subject=served.secretary_subject)
    assert (await assessment.post(f"/projects/{body['project_id']}/milestones/M1/verify", None,
                                  same_person)).status_code == 403
    returned = await assessment.post(f"/projects/{body['project_id']}/milestones/M1/return", {"reason": "照片不清晰"},
                                     assessment.assessor | at("2025-05-22"))
    assert returned.status_code == 200 and returned.json()["status"] == "returned"


async def test_overdue_milestones_gaps_and_findings_as_of_a_day(assessment, served, token):
    code, team, secretary = served.village, served.team, served.secretary
    body = plan(code, uid("P"))
    await assessment.until_created("/projects", body, secretary | at("2025-02-20"), "the team known to assessment")
    person = uid("LP")
    r = await assessment.post("/low-income/persons", {"person_id": person, "household_id": uid("H"),
                                                      "village_code": code, "eligible_for": ["medical_insurance"]},
                              secretary | at("2025-03-01"))
    assert r.status_code == 201 and r.json()["gaps"] == ["medical_insurance"], r.text
    inspection = uid("I")
    r = await assessment.post("/inspections", {"inspection_id": inspection, "target_kind": "team", "target_id": team,
                                               "inspected_on": "2025-04-01",
                                               "findings": [{"finding_id": "F1", "text": "驻村台账不全",
                                                             "deadline": "2025-04-30"}]}, assessment.inspector)
    assert r.status_code == 201, r.text

    async def listed():
        overdue = (await assessment.get("/milestones/overdue", params={"as_of": "2025-06-01",
                                                                      "village_code": code})).json()
        gaps = (await assessment.get("/low-income/gaps", params={"as_of": "2025-03-01", "village_code": code})).json()
        findings = (await assessment.get("/inspections/findings", params={"as_of": "2025-05-01", "target_id": team,
                                                                          "overdue": "true"})).json()
        mine = [m for m in overdue["items"] if m["project_id"] == body["project_id"]]
        return (mine, gaps, findings) if mine and gaps["gaps_total"] and findings["items"] else None

    mine, gaps, findings = await wait_for(listed, "the facts projection")
    assert [(m["milestone_id"], m["days_overdue"]) for m in mine] == [("M1", 1)]
    assert [g["person_id"] for v in gaps["villages"] for g in v["gaps"]] == [person]
    assert [(f["finding_id"], f["days_overdue"]) for f in findings["items"]] == [("F1", 1)]
    on_deadline = (await assessment.get("/inspections/findings", params={"as_of": "2025-04-30", "target_id": team,
                                                                         "overdue": "true"})).json()
    assert on_deadline["items"] == []

    # Read within scope only: the village's team and district see it, another district does not.
    asked = {"as_of": "2025-03-01", "village_code": code}
    own = (await assessment.get("/low-income/gaps", secretary, params=asked)).json()
    assert [g["person_id"] for v in own["villages"] for g in v["gaps"]] == [person]
    other = token(Role.district_official, subject="official-120110", district="120110")
    assert (await assessment.get("/low-income/gaps", other, params=asked)).json()["gaps_total"] == 0
    assert (await assessment.get(f"/projects/{body['project_id']}", other)).status_code == 403
    assert (await assessment.get(f"/projects/{body['project_id']}", secretary)).status_code == 200
    finance = token(Role.finance_officer, subject="finance-120119", district="120119")
    assert (await assessment.get("/low-income/gaps", finance, params=asked)).status_code == 403


async def test_a_years_assessment_reruns_with_the_same_scores_and_is_published(assessment, served):
    code, team, secretary = served.village, served.team, served.secretary
    r = await assessment.post("/incomes/villages", {"village_code": code, "year": YEAR, "collective_income": "230000"},
                              secretary | at("2026-01-10"))
    assert r.status_code == 201, r.text
    rubric = {"dimensions": [{"code": "income_target", "weight": 60}, {"code": "assessor_marks", "weight": 40}],
              "grade_cutoffs": {"优秀": 90, "良好": 80, "一般": 60}}
    assert (await assessment.put_rubric(YEAR, rubric)).status_code == 200
    mark = {"subject_kind": "team", "subject_id": team, "mark": "85"}
    assert (await assessment.post(f"/assessments/{YEAR}/marks", mark, assessment.assessor)).status_code == 201

    compute = {"as_of": AS_OF}
    first = await assessment.post(f"/assessments/{YEAR}/compute", compute, assessment.assessor | at("2026-02-01"))
    assert first.status_code == 200 and first.json()["recorded"], first.text
    mine = next(s for s in first.json()["results"] if s["subject_kind"] == "team" and s["subject_id"] == team)
    assert mine["scores"] == {"income_target": "100.00", "assessor_marks": "85.00"}
    assert (mine["total"], mine["grade"]) == ("94.00", "优秀")

    # Later facts, one back-dated before the assessment date: the re-run ignores them.
    fix = {"village_code": code, "year": YEAR, "collective_income": "150000", "note": "更正：扣除一次性补助"}
    assert (await assessment.post("/incomes/villages", fix, secretary | at("2026-01-20"))).status_code == 201
    more = {"subject_kind": "team", "subject_id": team, "mark": "10"}
    assert (await assessment.post(f"/assessments/{YEAR}/marks", more, assessment.reviewer)).status_code == 201
    again = await assessment.post(f"/assessments/{YEAR}/compute", compute, assessment.assessor | at("2026-02-05"))
    assert again.json()["reproduced"] is True and again.json()["results"] == first.json()["results"]

    assert (await assessment.post(f"/assessments/{YEAR}/review", {"as_of": AS_OF, "approved": True},
                                  assessment.assessor)).status_code == 403  # who computed may not review
    assert (await assessment.post(f"/assessments/{YEAR}/review", {"as_of": AS_OF, "approved": True},
                                  assessment.reviewer)).status_code == 200
    assert (await assessment.post(f"/assessments/{YEAR}/publish", {"as_of": AS_OF},
                                  assessment.assessor)).status_code == 403
    published = await assessment.post(f"/assessments/{YEAR}/publish", {"as_of": AS_OF})
    assert published.status_code == 200, published.text
    state = (await assessment.get(f"/assessments/{YEAR}")).json()
    assert state["status"] == "published" and state["latest"]["results"] == first.json()["results"]
    refresh = await assessment.post(f"/assessments/{YEAR}/compute", compute | {"refresh": True}, assessment.assessor)
    assert refresh.status_code == 409
