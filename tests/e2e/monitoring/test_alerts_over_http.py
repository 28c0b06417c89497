"""Monitoring in the running system: funding's API records a request (back-dated), its
relay publishes it through the real broker, monitoring's worker keeps the condition; the
city office closes business days over HTTP, the alert appears on GET /alerts (scoped), the
approval resolves it; officials acknowledge and resolve by hand; the export and the catalogue."""

from __future__ import annotations

import csv
import io
import os
import secrets
import subprocess
import sys
import time
from datetime import date, timedelta

import asyncpg
import httpx
import pytest

from shared.http.auth import Role

from tests.e2e.funding.conftest import Funding, wait_for

pytestmark = pytest.mark.e2e
DISTRICT = "120117"


def at(day: date) -> dict[str, str]:
    return {"X-Occurred-At": f"{day.isoformat()}T10:00:00+08:00"}


async def monitoring_conditions(settings, disbursement_id: str) -> list[str]:
    conn = await asyncpg.connect(settings.dsn("monitoring"))
    try:
        rows = await conn.fetch("select rule_id from monitoring.conditions where subject_id = $1", disbursement_id)
    finally:
        await conn.close()
    return [r["rule_id"] for r in rows]


async def test_a_late_approval_is_raised_escalated_resolved_and_handled_over_http(stack, token, settings):
    funding = Funding(stack, token, settings)
    mon = httpx.AsyncClient(base_url=stack.url("monitoring"), timeout=30)
    city = token(Role.city_office, subject="city-office")
    alice = token(Role.finance_officer, subject="alice", district=DISTRICT)
    bob = token(Role.finance_officer, subject="bob", district=DISTRICT)
    official = token(Role.district_official, subject="official-1", district=DISTRICT)
    elsewhere = token(Role.district_official, subject="official-2", district="120110")

    # The catalogue was seeded at start, version 1 of every rule.
    rules = (await mon.get("/rules", headers=city)).json()
    assert {r["rule_id"]: r["rule_version"] for r in rules}["disbursement.awaiting_approval"] == 1
    assert {r["rule_id"]: r["escalate_at_most"] for r in rules}["disbursement.awaiting_approval"] == 3
    beyond = await mon.put("/rules/disbursement.awaiting_approval", headers=city, json={
        "effective_on": "2030-01-01", "severity": "warning", "thresholds": {"days": 14}, "audience": ["city_office"],
        "escalate_after_days": 5, "escalate_to": ["city_office"], "escalate_at_most": 11, "reason": "test"})
    assert beyond.status_code == 422 and beyond.json()["detail"][0]["loc"] == ["body", "escalate_at_most"], beyond.text
    bad = await mon.put("/rules/disbursement.awaiting_approval", headers=city, json={
        "effective_on": "2030-01-01", "severity": "warning", "thresholds": {"days": 0}, "audience": ["city_office"],
        "reason": "test"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "thresholds", "days"], bad.text

    village = await funding.designated_village(DISTRICT)
    line = f"L-{secrets.token_hex(4)}"
    r = await funding.post("/lines", {"line_id": line, "source": "district", "fiscal_year": 2022, "scope": DISTRICT,
                                      "title": "监测端到端", "amount": "10000.00"}, headers=city | at(date(2022, 4, 1)))
    assert r.status_code == 201, r.text
    alloc = f"A-{secrets.token_hex(4)}"
    r = await funding.post("/allocations", {"allocation_id": alloc, "line_id": line, "village_code": village,
                                            "amount": "1000.00"}, headers=city | at(date(2022, 4, 1)))
    assert r.status_code == 201, r.text
    d = f"D-{secrets.token_hex(4)}"
    r = await funding.post("/disbursements", {"disbursement_id": d, "allocation_id": alloc, "amount": "300.00"},
                           headers=alice | at(date(2022, 5, 1)))
    assert r.status_code == 201, r.text
    await wait_for(lambda: monitoring_conditions(settings, d), "monitoring's worker to hear the request")

    for n in range(16):  # 1–16 May: more than 14 days on the 16th
        r = await mon.post(f"/days/{date(2022, 5, 1) + timedelta(days=n)}/close", headers=city)
        assert r.status_code == 201, r.text
    again = await mon.post("/days/2022-05-16/close", headers=city)
    assert again.status_code == 409, again.text

    async def raised():
        page = (await mon.get("/alerts", params={"rule": "disbursement.awaiting_approval", "state": "open"},
                              headers=official)).json()
        return [a for a in page["items"] if a["subject_id"] == d]

    [alert] = await wait_for(raised, "the alert on GET /alerts")
    assert (alert["raised_on"], alert["district"], alert["village_code"]) == ("2022-05-16", DISTRICT, village)
    assert (await mon.get("/alerts", params={"rule": "disbursement.awaiting_approval"},
                          headers=elsewhere)).json()["total"] == 0
    assert (await mon.get(f"/alerts/{alert['alert_id']}", headers=elsewhere)).status_code == 404

    started = time.monotonic()
    r = await funding.post(f"/disbursements/{d}/approve", None, headers=bob | at(date(2022, 5, 17)))
    assert r.status_code == 200, r.text

    async def resolved():
        body = (await mon.get(f"/alerts/{alert['alert_id']}", headers=official)).json()
        return body if body["state"] == "resolved" else None

    detail = await wait_for(resolved, "the approval to resolve the alert")
    print(f"\napproval → alert resolved on GET /alerts: {(time.monotonic() - started) * 1000:.0f} ms")
    assert detail["resolved_how"] == "cleared" and detail["cleared_by_event"]
    assert [h["type"] for h in detail["history"]] == ["AlertRaised", "AlertResolved"]

    # Approved, not paid: more than 10 days after the 17th is the 28th; 5 business days later, escalated.
    for n in range(16, 33):
        assert (await mon.post(f"/days/{date(2022, 5, 1) + timedelta(days=n)}/close", headers=city)).status_code == 201

    async def unpaid():
        page = (await mon.get("/alerts", params={"rule": "disbursement.approved_unpaid", "district": DISTRICT},
                              headers=city)).json()
        found = [a for a in page["items"] if a["subject_id"] == d]
        return found if found and found[0]["level"] >= 1 else None

    [late] = await wait_for(unpaid, "the unpaid alert, escalated")
    assert (late["raised_on"], late["level"], late["escalated_to"]) == ("2022-05-28", 1, ["city_office"])

    note = f"已电话督办财政局 {secrets.token_hex(3)}"
    r = await mon.post(f"/alerts/{late['alert_id']}/acknowledge", json={"note": note},
                       headers=official | {"Idempotency-Key": f"ack-{d}"})
    assert r.status_code == 200 and r.json()["state"] == "acknowledged", r.text
    replay = await mon.post(f"/alerts/{late['alert_id']}/acknowledge", json={"note": note},
                            headers=official | {"Idempotency-Key": f"ack-{d}"})
    assert replay.status_code == 200 and replay.json() == r.json()
    assert (await mon.post(f"/alerts/{late['alert_id']}/resolve", json={"reason": "x"},
                           headers=alice)).status_code == 403  # finance officers take alerts on, not close them
    r = await mon.post(f"/alerts/{late['alert_id']}/resolve", json={"reason": "线下已付，待补录"}, headers=city)
    assert r.status_code == 200 and r.json()["resolved_how"] == "by_hand", r.text
    assert (await mon.post(f"/alerts/{late['alert_id']}/resolve", json={"reason": "again"},
                           headers=city)).status_code == 409

    async def handled():
        body = (await mon.get(f"/alerts/{late['alert_id']}", headers=official)).json()
        return body if body["state"] == "resolved" else None

    body = await wait_for(handled, "the manual resolution on the board")
    history = {h["type"]: h for h in body["history"]}
    assert history["AlertAcknowledged"]["note"] == note and history["AlertAcknowledged"]["by"] == "official-1"
    assert history["AlertResolved"]["reason"] == "线下已付，待补录"
    conn = await asyncpg.connect(settings.dsn("monitoring"))
    try:  # the note travels sealed only
        assert await conn.fetchval("select count(*) from es.events where payload::text like $1", f"%{note}%") == 0
    finally:
        await conn.close()

    r = await mon.get("/alerts/export.csv", params={"district": DISTRICT}, headers=city)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][0] == "预警编号 alert id" and {alert["alert_id"], late["alert_id"]} <= {row[0] for row in rows[1:]}

    # A scheduler closes the following days with the CLI, from the day after the last closed one.
    done = subprocess.run([sys.executable, "-m", "xingcun_cli.main", "monitoring", "close-day", "--through",
                           "2022-06-05"], capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 0 and "2022-06-03" in done.stdout and "2022-06-05" in done.stdout, done.stdout + done.stderr
    assert (await mon.post("/days/2022-06-05/close", headers=city)).status_code == 409
    assert (await mon.post("/days/2022-06-06/close", headers=city)).status_code == 201

    # Rebuilt from offset zero through the real broker: the same alerts, and nothing said twice.
    async def snapshot():
        conn = await asyncpg.connect(settings.dsn("monitoring"))
        try:
            alerts = [tuple(r) for r in await conn.fetch(
                "select alert_id, state, level, raised_on, resolved_how from monitoring.alerts order by alert_id")]
            events = await conn.fetchval("select count(*) from es.events where stream_id like 'alert-%'")
            log = await conn.fetchval("select count(*) from monitoring.alert_log")
        finally:
            await conn.close()
        return alerts, events, log

    await wait_for(lambda: _settled(settings), "the board to catch up with the log")
    before = await snapshot()
    for projection in ("watch", "alert_board"):
        done = subprocess.run([sys.executable, "-m", "xingcun_cli.main", "projections", "rebuild", "monitoring",
                               projection], capture_output=True, text=True, timeout=300, env=dict(os.environ))
        assert done.returncode == 0, done.stdout + done.stderr
    assert await snapshot() == before
    await mon.aclose()


async def _settled(settings) -> bool:
    """Every alert event of the log is on the board (the relay and the worker are quiet)."""
    conn = await asyncpg.connect(settings.dsn("monitoring"))
    try:
        return await conn.fetchval(
            """select (select count(*) from es.events where stream_id like 'alert-%')
                      = (select count(*) from monitoring.alert_log)""")
    finally:
        await conn.close()
