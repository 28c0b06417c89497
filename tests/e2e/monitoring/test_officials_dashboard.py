"""The officials' dashboard in a real headless Chromium (Debian's, driven by Playwright), on the
running system, with a district official's token: the page asks for the token (kept in the
tab's sessionStorage, never in a URL), shows only that district's alerts by rule, district
and age, the acknowledgement table with its note, and an alert raised in assessment's store
reaches the page through the relay, the broker, monitoring's worker and the authenticated
stream — while one raised in another district does not."""

from __future__ import annotations

import asyncio
import secrets
import time
from datetime import UTC, datetime

import httpx
import pytest
from playwright.async_api import async_playwright

from shared.contracts import assessment as A
from shared.http.auth import Role

from tests.e2e.publicity.support import append
from tests.e2e.publicity.test_dashboard import ARGS, ARTIFACTS, CHROMIUM
from tests.integration.publicity.scenario import Step

pytestmark = pytest.mark.e2e
DISTRICT, ELSEWHERE = "120115", "120118"  # 宝坻区, 静海区


def flagged(district: str) -> tuple[str, Step]:
    village = f"{district}{secrets.randbelow(10**6):06d}"
    return village, Step("assessment", f"income-{village}", datetime.now(UTC), A.FarmerIncomeReported(
        village_code=village, district=district, year=2023, per_capita_fen=1_500_000, flagged=True,
        flag_reason="e2e"))


async def raised(mon: httpx.AsyncClient, city: dict, village: str) -> dict:
    deadline = datetime.now(UTC).timestamp() + 30
    while datetime.now(UTC).timestamp() < deadline:
        items = (await mon.get("/alerts", params={"rule": "income.report_flagged"}, headers=city)).json()["items"]
        if found := [a for a in items if a["village_code"] == village]:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no alert for {village}")


async def test_the_officials_dashboard_for_a_district_official(stack, token, settings):
    mon = httpx.AsyncClient(base_url=stack.url("monitoring"), timeout=30)
    city = token(Role.city_office, subject="city-office")
    official = token(Role.district_official, subject="official-baodi", district=DISTRICT)
    ours, theirs = flagged(DISTRICT), flagged(ELSEWHERE)
    await append(settings, [ours[1], theirs[1]])
    started = time.monotonic()
    mine, other = await raised(mon, city, ours[0]), await raised(mon, city, theirs[0])
    print(f"\nflagged reports → alerts on GET /alerts: {time.monotonic() - started:.1f} s")
    note = f"已督促复核 {secrets.token_hex(3)}"
    r = await mon.post(f"/alerts/{mine['alert_id']}/acknowledge", json={"note": note}, headers=official)
    assert r.status_code == 200, r.text

    problems: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 1200}, locale="zh-CN",
                                          timezone_id="America/Los_Angeles")
            # The bad token at the end is refused with a 401 the browser logs: that one is expected.
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type == "error" and "401" not in m.text else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}")
                    if "/alerts/stream" not in r.url else None)
            await page.goto(stack.url("monitoring") + "/dashboard/officials", wait_until="load")
            await page.wait_for_selector('[data-testid="login"]:not([hidden])', timeout=15_000)
            await page.fill('[data-testid="token"]', official["Authorization"])
            await page.press('[data-testid="token"]', "Enter")
            await page.wait_for_selector("body[data-loaded]", timeout=30_000)
            await page.wait_for_selector('[data-testid="live"][data-state="open"]', timeout=15_000)
            assert await page.inner_text('[data-testid="live-text"]') == "实时 / live"
            assert not await page.is_visible('[data-testid="login"]') and await page.is_visible('[data-testid="board"]')
            assert await page.get_attribute('[data-testid="live"]', "aria-live") == "polite"
            # The token: in this tab's sessionStorage, in no URL.
            bare = official["Authorization"].removeprefix("Bearer ")
            assert await page.evaluate("sessionStorage.getItem('xingcun-officials-token')") == bare
            assert bare not in page.url

            summary = (await mon.get("/alerts/summary", headers=official)).json()
            assert await page.get_attribute('[data-testid="unresolved"]', "data-value") == str(summary["unresolved"])
            districts = await page.inner_text('[data-testid="table-districts"] tbody')
            assert "宝坻区" in districts and "静海区" not in districts
            rules = await page.inner_text('[data-testid="table-rules"] tbody')
            assert rules.count("\n") + 1 == len(summary["by_rule"])
            ages = await page.locator('[data-testid="table-ageing"] tbody tr').count()
            assert ages == 5 and await page.locator("#chart-ageing canvas").count() == 1
            acks = await page.inner_text('[data-testid="table-acks"]')
            assert mine["alert_id"] in acks and note in acks and "official-baodi" in acks and "宝坻区" in acks
            assert other["alert_id"] not in acks
            assert "确认记录 / Who acknowledged what" in await page.inner_text('[data-testid="table-acks"] caption')

            # Live: a flagged report elsewhere, then one here; only ours arrives.
            before = summary["unresolved"]
            later_theirs, later_ours = flagged(ELSEWHERE), flagged(DISTRICT)
            started = time.monotonic()
            await append(settings, [later_theirs[1], later_ours[1]])
            await page.wait_for_function(
                f"""document.querySelector('[data-testid="unresolved"]').dataset.value == '{before + 1}'""",
                timeout=15_000)
            print(f"flagged report → on the officials' page: {time.monotonic() - started:.1f} s")
            live = await page.inner_text('[data-testid="table-live"] tbody')
            assert "发现 raised" in live and DISTRICT in live and ELSEWHERE not in live
            await page.screenshot(path=str(ARTIFACTS / "dashboard-officials.png"), full_page=True)

            # A bad token is refused and the page asks again, with the reason.
            await page.click('[data-testid="signout"]')
            await page.fill('[data-testid="token"]', "not-a-token")
            await page.press('[data-testid="token"]', "Enter")
            # The page shows the board while it tries the token: the refusal is what to wait for.
            await page.wait_for_function("document.querySelector('[data-testid=\"login-error\"]').textContent != ''")
            assert await page.is_visible('[data-testid="login"]') and not await page.is_visible('[data-testid="board"]')
            assert await page.inner_text('[data-testid="live-text"]') == "已断开 / disconnected"
            assert await page.evaluate("sessionStorage.getItem('xingcun-officials-token')") is None
        finally:
            await browser.close()
    await mon.aclose()
    assert problems == [], problems
