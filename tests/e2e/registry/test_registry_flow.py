"""The registry through the real stack: import, screening and its re-derivation, the support
network from proposal to presence alerts, and roles — HTTP → PostgreSQL → Kafka → projections."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest

from shared.config import REPO_ROOT
from shared.contracts.registry import ScreeningCompleted
from shared.http.auth import Role

from services.registry.domain.screening import rederive
from tests.support.db import events_written
from tests.support.registry import to_csv, uid, village_rows

pytestmark = pytest.mark.e2e
DISTRICT = "120115"  # 宝坻区


def poll(fetch, until, timeout: float = 90.0):
    # Projections follow the relay, whose horizon is the oldest open transaction on the
    # whole server: other sessions can hold it back for a while.
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if until(value):
            return value
        assert time.monotonic() < deadline, f"condition not reached: {value}"
        time.sleep(0.1)


def low_income_rows(n: int) -> list[dict]:
    # Near-zero incomes: at the bottom of whatever else the session registered.
    return [r | {"income_2018": f"0.{i:02d}", "income_2019": "0", "income_2020": "0"} for i, r in enumerate(village_rows(n, DISTRICT))]


def screen_in(api: httpx.Client, codes: list[str]) -> dict:
    """Run a screening that designates ``codes`` and revokes nobody: the stack is shared, so N is
    the lowest that still reaches every village designated now and every one of ours."""
    runs = api.get("/screenings").json()
    ranked = api.post("/screenings/preview", json={"quota": 1_000_000}).json()["designated"]
    keep = set(codes)
    if runs["in_force"]:  # a village graduated since is no longer ranked: it stays out
        keep |= set(api.get(f"/screenings/{runs['in_force']}").json()["designated"]) & set(ranked)
    quota = max(ranked.index(code) for code in keep) + 1
    r = api.post("/screenings", json={"run_id": uid("run"), "quota": quota, "supersedes": runs["in_force"]})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def api(stack, token):
    with httpx.Client(base_url=stack.url("registry"), headers=token(), timeout=30) as client:
        yield client


async def test_import_reports_bad_rows_then_partial_writes_the_good_ones(stack, api, settings):
    rows = low_income_rows(6)
    rows[4]["income_2020"] = "abc"
    files = {"file": ("村表.csv", to_csv(rows, encoding="gb18030"), "text/csv")}
    before = await events_written(settings.dsn("registry"))
    rejected = api.post("/villages/import", files=files)
    assert rejected.status_code == 422
    assert [d["loc"] for d in rejected.json()["detail"]] == [["body", "file", "6", "income_2020"]]
    assert await events_written(settings.dsn("registry")) == before
    accepted = api.post("/villages/import", params={"partial": "true"}, files=files,
                        headers={"Idempotency-Key": uid("import")})
    assert accepted.status_code == 201 and accepted.json()["imported"] == 5
    assert await events_written(settings.dsn("registry")) == before + 5
    code = rows[0]["code"]
    poll(lambda: api.get("/villages", params={"district": DISTRICT, "limit": 1000}).json()["items"],
         lambda items: any(v["code"] == code for v in items))


def test_a_screening_run_is_rederived_by_anyone_and_designations_reach_the_directory(stack, api, token):
    rows = low_income_rows(3)
    r = api.post("/villages/import", files={"file": ("v.csv", to_csv(rows), "text/csv")})
    assert r.status_code == 201, r.text
    result = screen_in(api, [row["code"] for row in rows])
    assert result["removed"] == []
    assert all(api.get(f"/villages/{row['code']}").json()["designated_by_run"] == result["run_id"] for row in rows)
    recorded = api.get(f"/screenings/{result['run_id']}").json()
    assert rederive(ScreeningCompleted.model_validate(recorded)).matches  # re-derived here, not by the service
    assert api.get(f"/screenings/{result['run_id']}/verify").json()["matches"] is True
    poll(lambda: api.get("/villages", params={"district": DISTRICT, "designated": "true", "limit": 1000}).json()["items"],
         lambda items: {row["code"] for row in rows} <= {v["code"] for v in items})
    # The command line does the same re-derivation.
    cli = subprocess.run(
        [sys.executable, "-m", "xingcun_cli.main", "registry", "screening", "verify", result["run_id"],
         "--url", stack.url("registry"), "--token", token()["Authorization"].removeprefix("Bearer ")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert cli.returncode == 0 and "一致" in cli.stdout, cli.stdout + cli.stderr


def test_cli_imports_a_table_with_progress(stack, token, tmp_path):
    path = tmp_path / "村表.csv"
    path.write_bytes(to_csv(low_income_rows(4)))
    cli = subprocess.run(
        [sys.executable, "-m", "xingcun_cli.main", "registry", "import", "villages", str(path),
         "--url", stack.url("registry"), "--token", token()["Authorization"].removeprefix("Bearer ")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert cli.returncode == 0 and "imported 4 villages" in cli.stdout, cli.stdout + cli.stderr


async def test_wrong_role_or_district_gets_403_and_changes_nothing(stack, api, token, settings):
    [row] = low_income_rows(1)
    assert api.post("/villages", json=row).status_code == 201
    correction = {"year": "2019", "income": "5.00", "reason": "更正"}
    before = await events_written(settings.dsn("registry"))
    url = stack.url("registry")
    attempts = [
        httpx.post(f"{url}/villages/{row['code']}/income-corrections", json=correction,
                   headers=token(Role.district_official, district="120119")),
        httpx.post(f"{url}/screenings", json={"run_id": uid("run")}, headers=token(Role.district_official, district=DISTRICT)),
        httpx.post(f"{url}/teams", json={"team_id": uid("t"), "district": DISTRICT, "lead_unit_id": "u", "member_ids": ["c"],
                                         "first_secretary_id": "c"}, headers=token(Role.first_secretary, team="x")),
        httpx.post(f"{url}/units", json={"unit_id": uid("u"), "name": "市某局", "level": "city", "strengths": ["农业"]},
                   headers=token(Role.district_official, district=DISTRICT)),
        httpx.post(f"{url}/allowances", json={"month": "2021-06"}, headers=token(Role.assessor)),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts), [a.text for a in attempts]
    assert await events_written(settings.dsn("registry")) == before
    own = httpx.post(f"{url}/villages/{row['code']}/income-corrections", json=correction,
                     headers=token(Role.district_official, district=DISTRICT))
    assert own.status_code == 200, own.text


def test_from_proposal_to_presence_and_alerts(stack, api, token):
    rows = low_income_rows(2)
    assert api.post("/villages/import", files={"file": ("v.csv", to_csv(rows), "text/csv")}).status_code == 201
    screen_in(api, [row["code"] for row in rows])
    official = token(Role.district_official, district=DISTRICT)
    unit = {"unit_id": uid("unit"), "name": "区农业农村委", "level": "district", "district": "宝坻区", "strengths": "农业、科技"}
    assert api.post("/units", json=unit, headers=official).status_code == 201
    cadres = [uid("cadre") for _ in range(2)]
    for cadre_id in cadres:
        r = api.post("/cadres", json={"cadre_id": cadre_id, "unit_id": unit["unit_id"], "name": "王五", "title": "科长"},
                     headers=official)
        assert r.status_code == 201, r.text
    team_id = uid("team")
    body = {"team_id": team_id, "district": DISTRICT, "lead_unit_id": unit["unit_id"], "member_ids": cadres,
            "first_secretary_id": cadres[0]}
    headers = official | {"Idempotency-Key": f"form-{team_id}"}
    first, again = api.post("/teams", json=body, headers=headers), api.post("/teams", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)

    proposal = api.post("/matching/proposals", json={"proposal_id": uid("p"), "districts": [DISTRICT]}, headers=official)
    assert proposal.status_code == 201, proposal.text
    mine = [p for p in proposal.json()["pairs"] if p["team_id"] == team_id]
    assert len(mine) in (1, 2) and all("契合度" in p["reason"] for p in mine)
    accepted = api.post(f"/matching/proposals/{proposal.json()['proposal_id']}/accept",
                        json={"pairs": [{"team_id": team_id, "village_code": mine[0]["village_code"]}]}, headers=official)
    assert accepted.status_code == 200, accepted.text
    village = mine[0]["village_code"]

    entry = api.post(f"/teams/{team_id}/villages/{village}/entry", json={"entered_on": "2021-06-01"}, headers=official)
    assert entry.status_code == 422 and entry.json()["detail"][0]["loc"] == ["body", "entered_on"]  # untrained
    assert api.post(f"/cadres/{cadres[0]}/trainings", json={"course": "第一书记集中培训", "completed_on": "2021-05-20"},
                    headers=official).status_code == 201
    assert api.post(f"/teams/{team_id}/villages/{village}/entry", json={"entered_on": "2021-06-01"},
                    headers=official).status_code == 201
    secretary = token(Role.first_secretary, team=team_id)
    r = api.post("/presence", json={"entries": [{"cadre_id": cadres[0], "village_code": village, "day": "2021-06-02",
                                                 "togethers": "吃住学劳"}]}, headers=secretary)
    assert r.status_code == 201, r.text

    def alerts():
        return api.get("/alerts", params={"as_of": "2021-06-16", "district": DISTRICT}).json()

    def absent(a: dict) -> dict:
        return {c["cadre_id"]: c["absent_days"] for c in a["absent_cadres"] if c["cadre_id"] in cadres}

    # Once the check-in is projected: the secretary was in on 2 June (absent 3–16), the member never.
    found = poll(alerts, lambda a: absent(a) == {cadres[0]: 14, cadres[1]: 16})
    assert any(v["team_id"] == team_id for v in found["villages_without_presence"])
    gaps = api.get("/network/gaps", params={"district": DISTRICT}).json()
    assert team_id not in gaps["teams_without_village"] and village not in gaps["villages_without_team"]

    # Scopes fail closed (issue 18, item 3): each reader sees the alerts of their own scope only.
    def alerts_as(headers: dict, **params) -> httpx.Response:
        return api.get("/alerts", params={"as_of": "2021-06-16"} | params, headers=headers)

    def ours(r: httpx.Response) -> set[str]:
        assert r.status_code == 200, r.text
        return {c["cadre_id"] for c in r.json()["absent_cadres"]} & set(cadres)

    other_district = token(Role.district_official, district="120101")
    assert alerts_as(other_district, district=DISTRICT).status_code == 403
    assert ours(alerts_as(other_district)) == set()
    assert ours(alerts_as(official)) == set(cadres)
    assert ours(alerts_as(secretary)) == set(cadres)
    assert ours(alerts_as(token(Role.first_secretary, team=uid("team")))) == set()
    assert ours(alerts_as(token(Role.unit, unit=unit["unit_id"]))) == set(cadres)
    assert ours(alerts_as(token(Role.unit, unit=uid("unit")))) == set()
    assert ours(alerts_as(token(Role.assessor, district="120101"))) == set()
    for unscoped in (Role.district_official, Role.unit, Role.first_secretary):
        assert alerts_as(token(unscoped)).status_code == 403

    # Allowances: computed city-wide at the configured rate only, read by district within the district.
    city_finance, own_finance = token(Role.finance_officer), token(Role.finance_officer, district=DISTRICT)
    assert api.post("/allowances", json={"month": "2021-06", "daily_rate": "999.00"}, headers=city_finance).status_code == 422
    assert api.post("/allowances", json={"month": "2021-06"}, headers=own_finance).status_code == 403
    computed = api.post("/allowances", json={"month": "2021-06"}, headers=city_finance)
    assert computed.status_code in (200, 201), computed.text
    assert computed.json()["daily_rate_fen"] == 10_000  # XINGCUN_REGISTRY_ALLOWANCE_DAILY_FEN's default

    def allowance_cadres(headers: dict) -> set[str]:
        r = api.get("/allowances/2021-06", headers=headers)
        assert r.status_code == 200, r.text
        return {i["cadre_id"] for i in r.json()["items"]} & set(cadres)

    assert cadres[0] in allowance_cadres(own_finance) and cadres[0] in allowance_cadres(city_finance)
    assert allowance_cadres(token(Role.finance_officer, district="120101")) == set()
