"""The subscription routes: the secret is write-only, bad input is a field-level 422 that
changes nothing, each caller sees and changes their own, pause and resume, the delivery log."""

from __future__ import annotations

import httpx

from shared.identity import Role

from tests.integration.monitoring.delivery.conftest import token

SECRET = "a-long-enough-secret-0123456789"


async def count(db) -> int:
    async with db.acquire() as conn:
        return await conn.fetchval("select count(*) from monitoring.subscriptions")


async def test_register_list_pause_resume_and_read_the_log(api, settings, db, receiver, alerts):
    official = token(settings, Role.district_official, district="120111")
    async with httpx.AsyncClient(base_url=api) as client:
        made = await client.post("/subscriptions", headers=official, json={
            "url": receiver.url, "secret": SECRET, "severities": ["critical"], "districts": ["120111"]})
        assert made.status_code == 201, made.text
        body = made.json()
        assert SECRET not in made.text and body["secret_fingerprint"].startswith("sha256:")
        assert body["state"] == "active" and body["severities"] == ["critical"]
        sid = body["subscription_id"]

        assert [s["subscription_id"] for s in (await client.get("/subscriptions", headers=official)).json()] == [sid]
        stranger = token(settings, Role.district_official, district="120222")
        assert (await client.get("/subscriptions", headers=stranger)).json() == []
        assert (await client.get(f"/subscriptions/{sid}/deliveries", headers=stranger)).status_code == 404
        assert (await client.post(f"/subscriptions/{sid}/resume", headers=stranger)).status_code == 404
        city = token(settings, Role.city_office)
        assert [s["subscription_id"] for s in (await client.get("/subscriptions", headers=city)).json()] == [sid]

        paused = await client.post(f"/subscriptions/{sid}/pause", headers=official, json={"reason": "系统维护"})
        assert paused.status_code == 200 and paused.json()["state"] == "paused"
        assert paused.json()["paused_reason"] == "系统维护"
        resumed = await client.post(f"/subscriptions/{sid}/resume", headers=official)
        assert resumed.json()["state"] == "active" and resumed.json()["paused_reason"] is None

        from services.monitoring.adapters.webhooks import WebhookDispatcher
        await alerts.raise_(district="120111", severity="critical")
        await WebhookDispatcher(db).tick()
        log = (await client.get(f"/subscriptions/{sid}/deliveries", headers=official)).json()
        assert [(d["attempt"], d["ok"], d["status_code"]) for d in log["items"]] == [(1, True, 204)]
        assert log["items"][0]["event_id"] == receiver.requests[0]["headers"]["ce-id"]


async def test_bad_subscriptions_are_refused_field_by_field_and_change_nothing(api, settings, db):
    official = token(settings, Role.district_official, district="120111")
    cases = [
        ({"url": "not a url", "secret": SECRET}, ["body", "url"]),
        ({"url": "http://127.0.0.1:9/x", "secret": "short"}, ["body", "secret"]),
        ({"url": "http://127.0.0.1:9/x", "secret": SECRET, "severities": ["urgent"]}, ["body", "severities", 0]),
        ({"url": "http://127.0.0.1:9/x", "secret": SECRET, "districts": ["12"]}, ["body", "districts", 0]),
        ({"url": "http://127.0.0.1:9/x", "secret": SECRET, "colour": "red"}, ["body", "colour"]),
    ]
    async with httpx.AsyncClient(base_url=api) as client:
        for body, loc in cases:
            answer = await client.post("/subscriptions", headers=official, json=body)
            assert answer.status_code == 422, (body, answer.text)
            assert answer.json()["detail"][0]["loc"] == loc, answer.text
            assert SECRET not in answer.text  # a refused secret is not echoed either
        # Another district's alerts: outside the caller's scope, refused as such (403).
        outside = await client.post("/subscriptions", headers=official,
                                    json={"url": "http://127.0.0.1:9/x", "secret": SECRET, "districts": ["120222"]})
        assert outside.status_code == 403 and outside.json()["detail"][0]["loc"] == ["body", "districts"], outside.text
        assert (await client.post("/subscriptions", json={"url": "http://127.0.0.1:9/x", "secret": SECRET})
                ).status_code == 401
        public = token(settings, Role.public)
        assert (await client.post("/subscriptions", headers=public,
                                  json={"url": "http://127.0.0.1:9/x", "secret": SECRET})).status_code == 403
    assert await count(db) == 0
