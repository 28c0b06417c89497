"""Privacy: every public endpoint (every GET the OpenAPI document lists without a security
requirement) answers with aggregates and published content only — never a cadre's name,
title or id, a low-income person's or household's id, an insurance policy number, nor the
officials who recorded the facts."""

from __future__ import annotations

import io
import re

import asyncpg
import httpx
import pytest
from PIL import Image, PngImagePlugin

from shared.http.auth import Role

from tests.e2e.publicity.sse import FeedReader
from tests.e2e.publicity.support import append, exact, get, wait_until
from tests.integration.publicity.scenario import SECRET_NAME, SECRET_TITLE, Scenario

pytestmark = pytest.mark.e2e


def tagged_png(tag: str) -> bytes:
    """A real PNG (images are judged by their content), made unique by a text chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_text("tag", tag)
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (30, 120, 60)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture(scope="module")
async def world(stack, settings, token):
    s = Scenario()
    await append(settings, s.steps())
    wait_until(lambda: exact(stack, f"/stats/villages/{s.a}")["village"]["low_income"][0]["covered"] == 1,
               timeout=60, what="the scenario in the statistics")
    pub, author = stack.url("publicity"), token(Role.first_secretary, subject="秘书张保密", team=s.team)
    image = httpx.post(f"{pub}/images", files={"file": ("p.png", tagged_png(s.tag), "image/png")},
                       headers=author).json()["sha256"]
    report = {"report_id": f"privacy-{s.tag}", "village_code": s.a, "title": "驻村工作见闻", "body": "村里变化大。",
              "figures": ["presence_days", "cadres_stationed", "low_income_eligible"], "images_sha256": [image]}
    assert httpx.post(f"{pub}/reports", json=report, headers=author).status_code == 201
    assert httpx.post(f"{pub}/reports/{report['report_id']}/submit", headers=author).status_code == 200
    assert httpx.post(f"{pub}/reports/{report['report_id']}/publish", headers=token(subject="审核人李保密"),
                      json={"channels": ["newspaper"], "published_on": "2022-06-01"}).status_code == 200
    notice = {"notice_id": f"privacy-{s.tag}", "title": "公示", "run_id": s.run, "window_from": "2021-03-02",
              "window_to": "2021-03-08"}
    assert httpx.post(f"{pub}/notices", json=notice, headers=token()).status_code == 201
    wait_until(lambda: httpx.get(f"{pub}/reports/{report['report_id']}").status_code == 200
               and httpx.get(f"{pub}/notices/{notice['notice_id']}").status_code == 200, what="publications")
    secrets = [SECRET_NAME, SECRET_TITLE, s.cadre1, s.cadre2, s.person, s.household, f"POL-{s.tag}", "test:e2e",
               "张保密", "李保密", "cadre_id", "person_id", "household_id", "policy_no", "actor"]
    return s, {"code": s.a, "notice_id": notice["notice_id"], "report_id": report["report_id"], "sha256": image}, \
        secrets


async def test_the_secrets_are_in_the_source_events(world, settings):
    """Otherwise the walk below could not fail. (Names and policy numbers are sealed at the
    source, tests/e2e/registry/test_personal_data.py; the cadre's pseudonymous id is not.)"""
    s, _, _ = world
    conn = await asyncpg.connect(settings.dsn("registry"))
    try:
        assert await conn.fetchval("select count(*) from es.events where payload->>'cadre_id' = $1 and stream_id = $2",
                                   s.cadre1, f"cadre-{s.cadre1}") >= 1
    finally:
        await conn.close()


def public_operations(spec: dict) -> list[tuple[str, dict]]:
    ops = []
    for path, methods in spec["paths"].items():
        op = methods.get("get")
        if op is not None and not op.get("security"):
            ops.append((path, op))
    return ops


def calls(path: str, op: dict, s, ids: dict, metrics: dict) -> list[tuple[str, dict]]:
    names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
    if "{metric}" in path:
        out = []
        for name, breakdowns in metrics.items():
            url = path.replace("{metric}", name)
            out += [(url, {}), (url, {"village": s.a, "as_of": "2022-04-01"})]
            out += [(url, {"by": b}) for b in (breakdowns if "by" in names else [])]
        return out
    url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
    variants: list[dict] = [{}]
    if "as_of" in names:
        variants.append({"as_of": "2022-04-01"})
    if "district" in names:
        variants.append({"district": s.district, "as_of": "2022-04-01"})
    if "q" in names:
        variants = [{"q": s.tag}, {"q": SECRET_NAME}, {"q": s.a}]
    return [(url, v) for v in variants]


def test_every_public_endpoint_keeps_personal_data_out(stack, world):
    s, ids, secrets = world
    pub = stack.url("publicity")
    spec = httpx.get(f"{pub}/openapi.json").json()
    metrics = {m["name"]: [b for b in m["breakdowns"] if b not in ("village",)]
               for m in get(stack, "/stats/metrics")["metrics"]}
    ops = public_operations(spec)
    assert len(ops) >= 25 and "/stats/cadres" in dict(ops) and "/reports/editorial" not in dict(ops)
    walked = 0
    with httpx.Client(timeout=60) as client:
        for path, op in ops:
            if path == "/stats/feed":
                continue
            for url, params in calls(path, op, s, ids, metrics):
                r = client.get(pub + url, params=params)
                assert r.status_code == 200, (url, params, r.text[:300])
                text = r.content.decode("utf-8", errors="replace")
                leaked = [x for x in secrets if x in text]
                assert not leaked, (url, params, leaked)
                walked += 1
    # The feed, replayed from its beginning.
    feed = FeedReader(f"{pub}/stats/feed?after=0", timeout=30)
    try:
        message = feed.next()
    finally:
        feed.close()
    assert message["data"]["changes"] and not [x for x in secrets if x in str(message["data"])]
    print(f"\n{walked} public requests over {len(ops)} endpoints, none revealed personal data / 隐私检查")
