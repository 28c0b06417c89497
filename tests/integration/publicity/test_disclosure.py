"""No public figure singles out a person (issue 18 item 8), over HTTP on the real PostgreSQL.

A district where 9 people are eligible for medical insurance and 3 of them covered: the
public reads the 3 withheld, the totals only rounded — so eligible less the gap cannot give the
3 back — and the figure's explanation names kinds of events, not one event per person. An
official of that district, or the city office, reads the exact figures.
"""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest

from shared.contracts import assessment as A
from shared.contracts import registry as R
from shared.http.auth import Principal, Role, issue_token

from services.publicity.domain.disclosure import PERSON_FACTS, Disclosure
from tests.integration.publicity.scenario import Step, at
from tests.integration.publicity.support import fed, statistics_client

DISTRICT, OTHER = "120119", "120114"
VILLAGE = f"{DISTRICT}{314159:06d}"
UNIT = "unit-disclosure"


def world_steps(_scenario) -> list[Step]:
    steps = [Step("registry", f"village-{VILLAGE}", at("2021-01-10"), R.VillageRegistered(
        code=VILLAGE, name="保密村", district=DISTRICT, town="测试镇", village_type="agriculture",
        income_fen={"2018": 1, "2019": 1, "2020": 1}))]
    for i in range(9):
        person = f"person-disclosure-{i}"
        steps += [Step("assessment", f"person-{person}", at("2021-05-01"), A.LowIncomePersonRegistered(
                      person_id=person, household_id=f"household-disclosure-{i}", village_code=VILLAGE,
                      district=DISTRICT)),
                  Step("assessment", f"person-{person}", at("2021-05-01"), A.EligibilityRecorded(
                      person_id=person, village_code=VILLAGE, district=DISTRICT, cover="medical_insurance",
                      eligible=True))]
        if i < 3:
            steps.append(Step("assessment", f"person-{person}", at("2021-05-10"), A.CoverageRecorded(
                person_id=person, village_code=VILLAGE, district=DISTRICT, cover="medical_insurance",
                covered_on=at("2021-05-10").date())))
    # The village's team, whose first secretary completed the centralised training: a fact
    # about one person (the first secretary is named in the press).
    team, secretary = "team-disclosure", "cadre-disclosure-secretary"
    steps += [Step("registry", f"unit-{UNIT}", at("2021-02-01"), R.UnitRegistered(
                  unit_id=UNIT, name="区农业农村委", level="district", district=DISTRICT, strengths=["agriculture"])),
              Step("registry", f"cadre-{secretary}", at("2021-02-02"), R.CadreTrained(
                  cadre_id=secretary, course="第一书记集中培训", completed_on=at("2021-02-02").date())),
              Step("registry", f"team-{team}", at("2021-02-03"), R.WorkTeamFormed(
                  team_id=team, lead_unit_id=UNIT, partner_unit_ids=[], member_ids=[secretary],
                  first_secretary_id=secretary, district=DISTRICT)),
              Step("registry", f"team-{team}", at("2021-02-04"), R.TeamAssigned(
                  team_id=team, lead_unit_id=UNIT, village_code=VILLAGE, district=DISTRICT, reason="因需对接"))]
    return steps


@pytest.fixture(scope="module")
async def world(settings):
    async with fed(settings, "pubdisclose", steps=world_steps) as w, statistics_client(w.pool, timeout=30) as (_, c):
        yield SimpleNamespace(client=c, settings=settings)


def as_(world, role: Role, **scope) -> dict:
    token = issue_token(world.settings, Principal(subject="reader", role=role, **scope))
    return {"Authorization": f"Bearer {token}"}


def district_row(body: dict) -> dict:
    return next(r for r in body["districts"] if r["code"] == DISTRICT)


async def test_three_covered_are_withheld_from_the_public_and_exact_for_the_district(world):
    c = world.client
    public = (await c.get("/stats/low-income")).json()
    row = district_row(public)
    assert row["covered"] is None and row["suppressed"] == ["covered"]
    assert (row["eligible"], row["gap"]) == (10, 5)  # 9 and 6, rounded
    assert public["city"]["covered"] is None
    assert public["disclosure"]["min_count"] == 5
    # the withheld cell cannot be derived: every value below 5 fits the rounded cells shown
    rule = Disclosure(public["disclosure"]["min_count"])
    fits = {e - g for e in range(100) for g in range(100)
            if rule.cell(e) == row["eligible"] and rule.cell(g) == row["gap"]}
    assert {1, 2, 3, 4} <= fits

    for reader in (as_(world, Role.district_official, district=DISTRICT), as_(world, Role.city_office)):
        exact = (await c.get("/stats/low-income", params={"district": DISTRICT}, headers=reader)).json()
        assert {k: district_row(exact)[k] for k in ("eligible", "covered", "gap")} == {
            "eligible": 9, "covered": 3, "gap": 6}
        assert "disclosure" not in exact

    # not exact for: another district's official, a unit, the public role, a bad token
    for reader in (as_(world, Role.district_official, district=OTHER), as_(world, Role.unit, unit="u"),
                   as_(world, Role.public), {"Authorization": "Bearer not-a-token"}):
        body = (await c.get("/stats/low-income", params={"district": DISTRICT}, headers=reader)).json()
        assert district_row(body)["covered"] is None, reader


async def test_every_public_breakdown_down_to_the_village_withholds_it(world):
    c = world.client
    figure = (await c.get("/stats/figures/low_income_eligible",
                          params={"dim": "covered:yes", "by": "village"})).json()
    assert figure["value"] is None and figure["groups"][0]["value"] is None
    story = (await c.get(f"/stats/villages/{VILLAGE}")).json()["village"]["low_income"]
    medical = next(x for x in story if x["cover"] == "medical_insurance")
    assert (medical["eligible"], medical["covered"]) == (10, None)
    gaps = (await c.get("/stats/low-income/gaps")).json()["villages"]
    assert [(g["village"], g["gap"]) for g in gaps] == [(VILLAGE, 5)]
    timeline = (await c.get("/stats/timeline/low_income_eligible", params={"to": "2021-06-30"})).json()
    assert timeline["points"][-1]["value"] == 10
    rows = (await c.get("/open-data/statistics.json")).json()["rows"]
    covered = next(r for r in rows if r["metric"] == "low_income_eligible" and r["breakdown_value"] == "yes")
    assert covered["value"] is None and covered["suppressed"] is True
    text = (await c.get("/open-data/statistics.csv")).text.lstrip("\ufeff")
    row = next(r for r in csv.DictReader(io.StringIO(text))
               if r["metric"] == "low_income_eligible" and r["breakdown_value"] == "yes")
    assert row["value"] == "<5"
    exact = (await c.get("/open-data/statistics.json", headers=as_(world, Role.city_office))).json()["rows"]
    assert next(r for r in exact if r["metric"] == "low_income_eligible"
                and r["breakdown_value"] == "yes")["value"] == 3


async def test_public_explain_lists_kinds_of_events_not_one_per_person(world):
    c = world.client
    public = (await c.get("/stats/explain/low_income_eligible", params={"district": DISTRICT})).json()
    assert public["events"] == []
    assert {(s["type"], s["events"]) for s in public["sources"]} == {
        ("EligibilityRecorded", 10), ("CoverageRecorded", None)}
    official = (await c.get("/stats/explain/low_income_eligible", params={"district": DISTRICT},
                            headers=as_(world, Role.district_official, district=DISTRICT))).json()
    assert len(official["events"]) == official["events_total"] == 12
    assert {(s["type"], s["events"]) for s in official["sources"]} == {
        ("EligibilityRecorded", 9), ("CoverageRecorded", 3)}
    # figures not about people keep their events
    villages = (await c.get("/stats/explain/villages_registered")).json()
    assert len(villages["events"]) == 1


def person_facts(body) -> list[str]:
    """Every field, at any depth, that states a fact about one person."""
    if isinstance(body, list):
        return [f for x in body for f in person_facts(x)]
    if not isinstance(body, dict):
        return []
    return [k for k in body if k in PERSON_FACTS | {"first_secretary_trained"}] + [
        f for v in body.values() for f in person_facts(v)]


async def test_no_public_answer_says_whether_the_first_secretary_was_trained(world):
    """A village story (and every other public answer about the village) does not tell the
    public whether its first secretary completed the training; the district's official and the
    city office read it."""
    c = world.client
    public = (await c.get(f"/stats/villages/{VILLAGE}")).json()["village"]
    assert [t["team_id"] for t in public["teams"]] == ["team-disclosure"]
    assert person_facts(public) == []
    assert public["teams"][0]["members"] is None  # one cadre: withheld, as the figures withhold it
    for path, params in (("/stats/cadres", {"district": DISTRICT}), ("/stats/villages", {"q": "保密"}),
                         ("/stats/figures/first_secretaries", {"village": VILLAGE}),
                         ("/stats/explain/first_secretaries", {"village": VILLAGE}),
                         ("/stats/timeline/first_secretaries", {"village": VILLAGE}),
                         ("/open-data/statistics.json", {"district": DISTRICT})):
        r = await c.get(path, params=params, headers={"Accept": "application/json"})
        assert r.status_code == 200, (path, r.text[:200])
        if "json" in r.headers.get("content-type", ""):
            assert person_facts(r.json()) == [], path
        assert "first_secretary_trained" not in r.text and "cadre-disclosure-secretary" not in r.text, path
    for reader in (as_(world, Role.district_official, district=DISTRICT), as_(world, Role.city_office)):
        official = (await c.get(f"/stats/villages/{VILLAGE}", headers=reader)).json()["village"]
        assert official["teams"][0]["first_secretary_trained"] is True
        assert official["teams"][0]["members"] == 1
    other = (await c.get(f"/stats/villages/{VILLAGE}",
                         headers=as_(world, Role.district_official, district=OTHER))).json()["village"]
    assert person_facts(other) == []
