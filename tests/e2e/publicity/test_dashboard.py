"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright): it loads
without console errors, its figures match the API, it switches language, finds a village,
follows the date slider and updates live from the feed. Its accessibility and locale gaps:
a Tianjin choropleth with every district, a captioned table beside every chart, the live
state in words (aria-live), and times in Beijing time while the browser runs in Los Angeles.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import async_playwright

from shared.config import REPO_ROOT
from shared.contracts import registry as R

from tests.e2e.publicity.support import append, get, wait_until
from tests.integration.publicity.scenario import Scenario, Step

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO_ROOT / "test-artifacts"
BROWSER_ZONE = "America/Los_Angeles"  # never Beijing's offset, whatever the season
CHARTS = ("map", "districts", "money", "time")
KEYS = ("villages_designated", "teams_stationed", "villages_at_income_target", "disbursed_yuan",
        "weak_without_team", "low_income_gap")


@pytest.fixture(scope="module")
async def world(stack, settings):
    scenario = Scenario()
    await append(settings, scenario.steps())
    wait_until(lambda: get(stack, f"/stats/villages/{scenario.a}")["village"]["money"]["disbursed"] == "100000.00",
               timeout=60, what="the scenario in the statistics")
    return scenario


async def shown(page) -> dict[str, str]:
    return {k: await page.get_attribute(f'[data-testid="headline-{k}"]', "data-value") for k in KEYS}


def expected(stack, **params) -> dict[str, str]:
    h = get(stack, "/stats/headline", **params)["headline"]
    return {k: "suppressed" if h[k] is None else str(h[k]) for k in KEYS}  # a count of people below 5


async def test_dashboard_in_headless_chromium(stack, world, settings):
    assert shutil.which(CHROMIUM), "chromium missing: `make test` installs Debian's chromium package"
    s = world
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1440, "height": 1100}, locale="zh-CN",
                                          timezone_id=BROWSER_ZONE)
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}")
                    if "/stats/feed" not in r.url else None)
            await page.goto(stack.url("publicity") + "/", wait_until="load")
            await page.wait_for_selector("body[data-loaded]", timeout=30_000)
            await page.wait_for_selector('[data-testid="live"][data-state="open"]', timeout=15_000)
            assert await page.inner_text("h1") == "兴村 · 扶持经济薄弱村实时统计"
            assert await shown(page) == expected(stack)
            assert await page.locator("#chart-districts canvas").count() == 1
            await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

            # The live state in words as well as colour, announced politely.
            assert await page.inner_text('[data-testid="live-text"]') == "实时 / live"
            assert await page.get_attribute('[data-testid="live"]', "aria-live") == "polite"

            # The choropleth: Tianjin's 16 districts registered, every district of ours on the map.
            coverage = get(stack, "/stats/coverage")["districts"]
            assert await page.locator("#chart-map canvas").count() == 1
            features = await page.evaluate("echarts.getMap('tianjin').geoJSON.features.map(f => f.properties.name)")
            assert len(features) == 16 and {d["name"] for d in coverage} <= set(features)
            drawn = await page.evaluate("""echarts.getInstanceByDom(document.getElementById('chart-map'))
                                           .getOption().series[0].data""")
            # (ECharts lists the map's other regions too, without a value.)
            assert {d["name"]: d["weak_with_team"] + d["weak_without_team"] for d in coverage} == {
                x["name"]: x["value"] for x in drawn if "value" in x}

            # A captioned table for every chart, Chinese first and English beside, with the chart's rows.
            for name in CHARTS:
                caption = await page.text_content(f'[data-testid="table-{name}"] caption')
                zh, en = (part.strip() for part in caption.split("/", 1))
                assert zh and en.isascii() and not zh.isascii(), caption
                assert await page.locator(f'[data-testid="table-{name}"] tbody tr').count() > 0, name
            assert await page.locator('[data-testid="table-map"] tbody tr').count() == len(coverage)
            table = await page.text_content('[data-testid="table-districts"] tbody')
            assert all(d["name"] in table for d in coverage)

            # Beijing time while the browser lives in Los Angeles.
            beijing_now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
            assert await page.evaluate("new Date().getTimezoneOffset()") != -480
            updated = datetime.strptime(await page.inner_text('[data-testid="updated"]'), "%Y-%m-%d %H:%M:%S")
            assert abs(updated - beijing_now) < timedelta(seconds=120), (updated, beijing_now)
            today = int(await page.get_attribute("#slider", "max"))
            assert date(2021, 1, 1) + timedelta(days=today) == beijing_now.date()

            # Live: a designation committed in the registry reaches the page through the feed.
            before = int(await page.get_attribute('[data-testid="headline-villages_designated"]', "data-value"))
            await append(settings, [Step("registry", f"village-{s.c}", datetime.now(UTC),
                                         R.VillageDesignated(code=s.c, district=s.district, run_id=s.run, rank=3,
                                                             average_fen=800_000_00))])
            await page.wait_for_function(
                f"""document.querySelector('[data-testid="headline-villages_designated"]').dataset.value
                    == '{before + 1}'""", timeout=10_000)

            # The village story.
            await page.fill('[data-testid="search"]', s.a)
            await page.press('[data-testid="search"]', "Enter")
            await page.click(f'button[data-code="{s.a}"]')
            await page.wait_for_selector('[data-testid="story-name"]')
            story = await page.inner_text('[data-testid="story"]')
            assert s.a in await page.inner_text('[data-testid="story-name"]') and "100,000.00" in story

            # The date slider: as of 2021-02-01 nothing was designated yet.
            loads = int(await page.get_attribute("body", "data-loaded"))
            days = (date(2021, 2, 1) - date(2021, 1, 1)).days
            await page.eval_on_selector("#slider", f"s => {{ s.value = '{days}'; s.dispatchEvent(new Event('input')); }}")
            await page.wait_for_function(f"Number(document.body.dataset.loaded) > {loads}", timeout=30_000)
            assert await page.inner_text('[data-testid="asof-label"]') == "2021-02-01"
            assert await shown(page) == expected(stack, as_of="2021-02-01")

            # English.
            loads = int(await page.get_attribute("body", "data-loaded"))
            await page.click('[data-testid="lang"]')
            await page.wait_for_function(f"Number(document.body.dataset.loaded) > {loads}", timeout=30_000)
            assert await page.inner_text("h1") == "Xingcun · Weak-village support, live statistics"
            assert "medical insurance" in await page.inner_text('[data-testid="story"]')
            await page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)
        finally:
            await browser.close()
    assert problems == []


async def test_an_answer_of_the_date_left_behind_never_lands_after_the_new_one(stack, world):
    """The slider moved while the present's figures were on their way: they arrive last, and
    the page still shows the date picked (it showed the present's under load before)."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page(locale="zh-CN", timezone_id=BROWSER_ZONE)
            await page.goto(stack.url("publicity") + "/", wait_until="load")
            await page.wait_for_selector("body[data-loaded]", timeout=30_000)
            assert await shown(page) != expected(stack, as_of="2021-02-01")  # the two dates differ

            async def late(route):  # the present's headline, held back
                if "as_of=" not in route.request.url:
                    await page.wait_for_timeout(3_000)
                await route.continue_()
            await page.route("**/stats/headline*", late)
            loads = int(await page.get_attribute("body", "data-loaded"))
            await page.click('[data-testid="lang"]')  # a load of the present, now slow
            days = (date(2021, 2, 1) - date(2021, 1, 1)).days
            await page.eval_on_selector("#slider", f"s => {{ s.value = '{days}'; s.dispatchEvent(new Event('input')); }}")
            await page.wait_for_function(f"Number(document.body.dataset.loaded) > {loads}", timeout=30_000)
            await page.wait_for_timeout(4_000)  # the present's answer has come by now
            assert await page.inner_text('[data-testid="asof-label"]') == "2021-02-01"
            assert await shown(page) == expected(stack, as_of="2021-02-01")
        finally:
            await browser.close()
