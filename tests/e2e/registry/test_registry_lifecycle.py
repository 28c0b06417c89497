"""动态管理 through the real stack: bad input is a field-level 4xx that writes nothing, a retried
command (same Idempotency-Key) has its effect once, and what the registry changes reaches its
directory and publicity's figures over Kafka."""

from __future__ import annotations

import httpx
import pytest

from shared.http.auth import Role

from tests.e2e.registry.test_registry_flow import DISTRICT, low_income_rows, poll, screen_in
from tests.support.db import events_written
from tests.support.registry import to_csv, uid

pytestmark = pytest.mark.e2e


@pytest.fixture
def api(stack, token):
    with httpx.Client(base_url=stack.url("registry"), headers=token(), timeout=30) as client:
        yield client


def designated(api: httpx.Client, n: int) -> list[str]:
    rows = low_income_rows(n)
    assert api.post("/villages/import", files={"file": ("v.csv", to_csv(rows), "text/csv")}).status_code == 201
    codes = [row["code"] for row in rows]
    screen_in(api, codes)
    return codes


def network(api: httpx.Client, official: dict) -> dict:
    unit = uid("unit")
    assert api.post("/units", json={"unit_id": unit, "name": "区农业农村委", "level": "district", "district": DISTRICT,
                                    "strengths": "农业"}, headers=official).status_code == 201
    cadres = [uid("cadre") for _ in range(2)]
    for cadre_id in cadres:
        assert api.post("/cadres", json={"cadre_id": cadre_id, "unit_id": unit, "name": "赵六", "title": "科员"},
                        headers=official).status_code == 201
    team_id = uid("team")
    r = api.post("/teams", json={"team_id": team_id, "district": DISTRICT, "lead_unit_id": unit, "member_ids": cadres,
                                 "first_secretary_id": cadres[0]}, headers=official)
    assert r.status_code == 201, r.text
    return {"unit": unit, "cadres": cadres, "team_id": team_id}


def field_of(response: httpx.Response) -> list:
    return [d["loc"] for d in response.json()["detail"]]


async def test_a_team_dissolved_once_frees_its_unit_and_refuses_bad_input(stack, api, token, settings):
    official = token(Role.district_official, district=DISTRICT)
    [code] = designated(api, 1)
    t = network(api, official)
    assert api.post(f"/teams/{t['team_id']}/villages", json={"village_code": code}, headers=official).status_code == 201

    before = await events_written(settings.dsn("registry"))
    for body, loc in (({"reason": ""}, ["body", "reason"]), ({}, ["body", "reason"]),
                      ({"reason": "撤销", "extra": 1}, ["body", "extra"])):
        bad = api.post(f"/teams/{t['team_id']}/dissolution", json=body, headers=official)
        assert bad.status_code == 422 and loc in field_of(bad), bad.text
        assert all(d["msg"] for d in bad.json()["detail"])
    elsewhere = api.post(f"/teams/{t['team_id']}/dissolution", json={"reason": "撤销"},
                         headers=token(Role.district_official, district="120119"))
    assert elsewhere.status_code == 403
    assert await events_written(settings.dsn("registry")) == before

    key = {"Idempotency-Key": f"dissolve-{t['team_id']}"}
    first = api.post(f"/teams/{t['team_id']}/dissolution", json={"reason": "任务调整"}, headers=official | key)
    assert first.status_code == 200 and first.json()["villages_released"] == [code], first.text
    written = await events_written(settings.dsn("registry"))
    assert written == before + 2  # TeamUnassigned, TeamDissolved
    again = api.post(f"/teams/{t['team_id']}/dissolution", json={"reason": "任务调整"}, headers=official | key)
    assert (again.status_code, again.json()) == (200, first.json())
    assert await events_written(settings.dsn("registry")) == written
    twice = api.post(f"/teams/{t['team_id']}/dissolution", json={"reason": "任务调整"}, headers=official)
    assert twice.status_code == 409 and field_of(twice) == [["body", "team_id"]]
    assert api.get(f"/teams/{t['team_id']}").json()["dissolved"] is True
    assert api.get(f"/units/{t['unit']}").json()["team_ids"] == []
    gaps = api.get("/network/gaps", params={"district": DISTRICT}).json()
    assert code in gaps["villages_without_team"] and t["unit"] in gaps["units_without_team"]


async def test_leave_is_cancelled_before_it_starts_and_not_after(stack, api, token, settings):
    official = token(Role.district_official, district=DISTRICT)
    t = network(api, official)
    cadre = t["cadres"][1]
    leave = {"leave_id": uid("l"), "start": "2022-04-01", "end": "2022-04-03", "reason": "探亲"}
    assert api.post(f"/cadres/{cadre}/leaves", json=leave, headers=official).status_code == 201
    assert api.post(f"/cadres/{cadre}/leaves/{leave['leave_id']}/decision", json={"approve": True},
                    headers=official).status_code == 200
    url = f"/cadres/{cadre}/leaves/{leave['leave_id']}/cancellation"
    before = await events_written(settings.dsn("registry"))
    late = api.post(url, json={"reason": "取消"}, headers=official | {"X-Occurred-At": "2022-04-02T09:00:00+08:00"})
    assert late.status_code == 409 and field_of(late) == [["body", "leave_id"]], late.text
    assert await events_written(settings.dsn("registry")) == before
    secretary = token(Role.first_secretary, team=t["team_id"])
    done = api.post(url, json={"reason": "工作需要"}, headers=secretary | {"X-Occurred-At": "2022-03-20T09:00:00+08:00"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled", done.text
    assert api.get(f"/cadres/{cadre}", headers=official).json()["leaves"][0]["status"] == "cancelled"


async def test_a_graduated_village_leaves_the_list_for_the_directory_and_publicity(stack, api, token, settings):
    official = token(Role.district_official, district=DISTRICT)
    [code, edited] = designated(api, 2)
    body = {"year": 2022, "income": "230000.00", "reason": "2022年集体经营性收入23万元，达标出列"}
    before = await events_written(settings.dsn("registry"))
    below = api.post(f"/villages/{code}/graduation", json=body | {"income": "150000"})
    assert below.status_code == 422 and field_of(below) == [["body", "income"]]
    assert api.post(f"/villages/{code}/graduation", json=body, headers=official).status_code == 403
    assert await events_written(settings.dsn("registry")) == before
    graduated = api.post(f"/villages/{code}/graduation", json=body, headers={"Idempotency-Key": f"grad-{code}"})
    assert graduated.status_code == 200, graduated.text
    assert api.post(f"/villages/{code}/graduation", json=body).status_code == 409
    village = api.get(f"/villages/{code}").json()
    assert village["designated"] is False and village["team_id"] is None

    r = api.post(f"/villages/{edited}/attributes", json={"village_type": "文旅型", "town": "新镇", "reason": "产业转型"},
                 headers=official)
    assert r.status_code == 200 and r.json()["village_type"] == "tourism", r.text
    bare = api.post(f"/villages/{edited}/attributes", json={"reason": "只写理由"}, headers=official)
    assert bare.status_code == 422

    def directory() -> dict:
        items = api.get("/villages", params={"district": DISTRICT, "limit": 1000}).json()["items"]
        return {v["code"]: v for v in items if v["code"] in (code, edited)}

    poll(directory, lambda d: len(d) == 2 and not d[code]["designated"]
         and (d[edited]["town"], d[edited]["village_type"]) == ("新镇", "tourism"))
    publicity = stack.url("publicity")

    def graduated_figure() -> int:
        return httpx.get(f"{publicity}/stats/figures/villages_graduated", params={"village": code}, timeout=10).json()["value"]

    poll(graduated_figure, lambda v: v == 1)
    story = httpx.get(f"{publicity}/stats/villages/{code}", timeout=10).json()["village"]
    ended = story["designation"]["ended"]
    assert ended["reason_code"] == "graduated" and ended["met_target"] == {"year": 2022, "income_yuan": "230000.00"}
    by_type = httpx.get(f"{publicity}/stats/figures/villages_registered", params={"village": edited, "by": "village_type"},
                        timeout=10).json()
    assert by_type["groups"] == [{"village_type": "tourism", "value": 1, "rows": 1}]
