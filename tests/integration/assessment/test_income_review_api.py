"""Reviewing a flagged income report through the routes on the real PostgreSQL: reviewer ≠
reporter, field-level 4xx writing nothing, a retry answered once, and a rejected report
leaving the income checks and the flagged list."""

from __future__ import annotations

from shared.http.auth import Principal, Role

from tests.integration.assessment.api import bearer, client, recorded_on, world_fixture
from tests.integration.assessment.scenario import ASSESSOR, TEAM2, V2, year_2022

SAME_PERSON = Principal(subject=TEAM2.subject, role=Role.assessor)
ELSEWHERE = Principal(subject="qian", role=Role.assessor, district="120110")

world = world_fixture("irv", year_2022)


async def test_a_rejected_report_stops_counting(world):
    async with client(world) as api:
        reported = await api.post("/incomes/villages", json={"village_code": V2, "year": 2021,
                                                             "collective_income": "400000", "note": "光伏并网"},
                                  headers=bearer(TEAM2) | recorded_on("2022-01-10T10:00:00+08:00"))
        assert reported.status_code == 201 and reported.json()["flagged"], reported.text
        await world.sync()
        flagged = (await api.get("/incomes/flagged", params={"year": 2021}, headers=bearer(ASSESSOR))).json()["items"]
        assert [(f["village_code"], f["measure"]) for f in flagged] == [(V2, "collective")]
        checks = (await api.get("/incomes/2021/checks", params={"as_of": "2022-03-01"}, headers=bearer(ASSESSOR))).json()
        assert {v["village_code"]: v["reached_200k"] for v in checks["villages"]}[V2] is True

        url = f"/incomes/villages/{V2}/2021/review"
        body = {"measure": "collective", "accepted": False, "reason": "无并网发电凭证"}
        before = len(await world.store.read_stream(None, f"income-{V2}"))
        refused = [
            await api.post(url, json=body, headers=bearer(TEAM2)),  # not an assessor
            await api.post(url, json=body, headers=bearer(SAME_PERSON)),  # the reporter, as an assessor
            await api.post(url, json=body, headers=bearer(ELSEWHERE)),  # another district's assessor
            await api.post(url, json=body | {"measure": "gross"}, headers=bearer(ASSESSOR)),
            await api.post(url, json={"measure": "collective", "accepted": False}, headers=bearer(ASSESSOR)),
            await api.post(f"/incomes/villages/{V2}/2020/review", json=body, headers=bearer(ASSESSOR)),
            await api.post(f"/incomes/villages/{V2}/2022/review", json=body, headers=bearer(ASSESSOR)),  # not flagged
        ]
        answers = [(r.status_code, r.json()["detail"][0]["loc"][-1]) for r in refused]
        assert answers == [(403, "Authorization"), (403, "body"), (403, "district"), (422, "measure"),
                           (422, "reason"), (404, "year"), (409, "measure")], [r.text for r in refused]
        assert len(await world.store.read_stream(None, f"income-{V2}")) == before  # nothing written

        key = {"Idempotency-Key": "review-v2-2021"} | recorded_on("2022-02-01T10:00:00+08:00")
        done = await api.post(url, json=body, headers=bearer(ASSESSOR) | key)
        assert done.status_code == 200 and done.json()["accepted"] is False, done.text
        replay = await api.post(url, json=body, headers=bearer(ASSESSOR) | key)
        assert replay.status_code == 200 and replay.json() == done.json()
        twice = await api.post(url, json=body | {"accepted": True}, headers=bearer(ASSESSOR))
        assert twice.status_code == 409 and "already reviewed" in twice.json()["detail"][0]["msg"]
        assert len(await world.store.read_stream(None, f"income-{V2}")) == before + 1

        await world.sync()
        assert (await api.get("/incomes/flagged", params={"year": 2021}, headers=bearer(ASSESSOR))).json()["items"] == []
        checks = (await api.get("/incomes/2021/checks", params={"as_of": "2022-03-01"}, headers=bearer(ASSESSOR))).json()
        v2 = {v["village_code"]: v for v in checks["villages"]}[V2]
        assert (v2["collective_income"], v2["reached_200k"]) == (None, False)
        earlier = (await api.get("/incomes/2021/checks", params={"as_of": "2022-01-31"}, headers=bearer(ASSESSOR))).json()
        assert {v["village_code"]: v["reached_200k"] for v in earlier["villages"]}[V2] is True  # as it stood then
