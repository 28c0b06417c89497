"""Public notices and featured reports through publicity's own commands, events and read model."""

from __future__ import annotations

import hashlib
import random
import struct
import zlib

import asyncpg
import httpx
import pytest
import xmlschema

from shared.http.auth import Role

from tests.e2e.publicity.support import append, get, wait_until
from tests.integration.publicity.test_open_data import IATI_XSD
from tests.integration.publicity.scenario import Scenario

pytestmark = pytest.mark.e2e


def png(seed: int) -> bytes:
    """A valid one-pixel PNG, different for each seed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixel = zlib.compress(bytes([0, seed % 256, 128, 64]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", pixel) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
async def world(stack, settings):
    scenario = Scenario()
    await append(settings, scenario.steps())
    wait_until(lambda: get(stack, "/stats/figures/villages_designated", village=scenario.d)["value"] == 1,
               timeout=60, what="the scenario's designations")
    return scenario


async def events_of(settings, stream: str) -> list[str]:
    conn = await asyncpg.connect(settings.dsn("publicity"))
    try:
        return [r["type"] for r in await conn.fetch(
            "select type from es.events where stream_id = $1 order by stream_version", stream)]
    finally:
        await conn.close()


async def test_designated_list_is_published_as_a_notice_with_its_window(stack, world, token, settings):
    s = world
    pub = stack.url("publicity")
    notice = {"notice_id": f"notice-{s.tag}", "title": "经济薄弱村认定结果公示", "run_id": s.run,
              "window_from": "2021-03-02", "window_to": "2021-03-08"}
    assert httpx.post(f"{pub}/notices", json=notice).status_code == 401
    assert httpx.post(f"{pub}/notices", json=notice, headers=token(Role.district_official,
                                                                   district="120119")).status_code == 403
    bad = httpx.post(f"{pub}/notices", json=notice | {"window_to": "2021-03-01"}, headers=token())
    assert bad.status_code == 422 and "body" in bad.json()["detail"][0]["loc"]
    unknown = httpx.post(f"{pub}/notices", json=notice | {"run_id": "no-such-run"}, headers=token())
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "run_id"]
    assert await events_of(settings, f"notice-notice-{s.tag}") == []

    headers = token() | {"Idempotency-Key": f"notice-{s.tag}"}
    first = httpx.post(f"{pub}/notices", json=notice, headers=headers)
    again = httpx.post(f"{pub}/notices", json=notice, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == {"notice_id": notice["notice_id"],
                                                                                     "villages": 2}
    assert httpx.post(f"{pub}/notices", json=notice, headers=token()).status_code == 409
    assert await events_of(settings, f"notice-notice-{s.tag}") == ["NoticePublished"]

    shown = wait_until(lambda: httpx.get(f"{pub}/notices/{notice['notice_id']}").json()
                       if httpx.get(f"{pub}/notices/{notice['notice_id']}").status_code == 200 else None,
                       what="the notice in the read model")
    assert (shown["window_from"], shown["window_to"], shown["state"]) == ("2021-03-02", "2021-03-08", "closed")
    assert [v["code"] for v in shown["list"]] == [s.a, s.d] and shown["list"][0]["average_yuan"] == "50000.00"
    assert any(n["notice_id"] == notice["notice_id"] for n in get(stack, "/notices")["items"])


async def test_report_goes_draft_review_published_and_only_then_is_public(stack, world, token, settings):
    s = world
    pub = stack.url("publicity")
    author = token(Role.first_secretary, team=s.team)
    image = png(random.randrange(10**6))
    up = httpx.post(f"{pub}/images", files={"file": ("farm.png", image, "image/png")}, headers=author)
    assert up.status_code == 201 and up.json()["sha256"] == hashlib.sha256(image).hexdigest()
    sha = up.json()["sha256"]
    not_image = httpx.post(f"{pub}/images", files={"file": ("x.txt", b"hello", "text/plain")}, headers=author)
    assert not_image.status_code == 422 and not_image.json()["detail"][0]["loc"] == ["body", "file"]

    rid = f"report-{s.tag}"
    report = {"report_id": rid, "village_code": s.a, "title": "食用菌大棚带富一村", "body": "村集体收入翻番。",
              "figures": ["disbursed", "income_reports"], "images_sha256": [sha]}
    bad = httpx.post(f"{pub}/reports", json=report | {"figures": ["no_such_metric"]}, headers=author)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "figures"]
    missing = httpx.post(f"{pub}/reports", json=report | {"images_sha256": ["0" * 64]}, headers=author)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "images_sha256"]
    assert httpx.post(f"{pub}/reports", json=report, headers=token(Role.assessor)).status_code == 403
    assert httpx.post(f"{pub}/reports", json=report, headers=author).status_code == 201

    # Not public while a draft, nor its image.
    assert httpx.get(f"{pub}/reports/{rid}").status_code == 404
    assert httpx.get(f"{pub}/images/{sha}").status_code == 404
    publish = {"channels": ["internet", "tv"], "published_on": "2022-05-01"}
    early = httpx.post(f"{pub}/reports/{rid}/publish", json=publish, headers=token())
    assert early.status_code == 409 and early.json()["detail"][0]["loc"] == ["body", "status"]

    assert httpx.post(f"{pub}/reports/{rid}/submit", headers=author).status_code == 200
    assert httpx.post(f"{pub}/reports/{rid}/return", json={"reason": "补充数据"}, headers=author).status_code == 403
    assert httpx.post(f"{pub}/reports/{rid}/return", json={"reason": "补充数据"}, headers=token()).status_code == 200
    other = token(Role.first_secretary, subject="another-first-secretary", team=s.team)
    stranger = httpx.put(f"{pub}/reports/{rid}", json=report | {"body": "改写"}, headers=other)
    assert stranger.status_code == 403 and stranger.json()["detail"][0]["loc"][-1] == "report_id"
    revised = httpx.put(f"{pub}/reports/{rid}", json=report | {"body": "村集体收入达到25万元。"}, headers=author)
    assert revised.status_code == 200 and revised.json()["status"] == "draft"
    assert httpx.post(f"{pub}/reports/{rid}/submit", headers=author).status_code == 200
    bad_channel = httpx.post(f"{pub}/reports/{rid}/publish", json=publish | {"channels": ["billboard"]},
                             headers=token())
    assert bad_channel.status_code == 422
    done = httpx.post(f"{pub}/reports/{rid}/publish", json=publish, headers=token())
    assert done.status_code == 200 and done.json()["status"] == "published"
    assert await events_of(settings, f"report-{rid}") == [
        "ReportDrafted", "ReportSubmitted", "ReportReturned", "ReportRevised", "ReportSubmitted", "ReportPublished"]

    shown = wait_until(lambda: httpx.get(f"{pub}/reports/{rid}").status_code == 200
                       and httpx.get(f"{pub}/reports/{rid}").json(), what="the published report")
    assert shown["body"] == "村集体收入达到25万元。" and [c["code"] for c in shown["channels"]] == ["internet", "tv"]
    assert {f["metric"]: f["value"] for f in shown["figures"]} == {"disbursed": "100000.00", "income_reports": 1}
    assert httpx.get(f"{pub}{shown['images'][0]}").content == image
    assert any(r["report_id"] == rid for r in get(stack, "/reports")["items"])


def test_open_data_exports_state_their_log_positions(stack, world):
    pub = stack.url("publicity")
    csv_r = httpx.get(f"{pub}/open-data/statistics.csv", params={"as_of": "2022-04-01"}, timeout=30)
    assert csv_r.status_code == 200 and csv_r.headers["content-type"].startswith("text/csv")
    positions = csv_r.headers["x-log-positions"]
    header, first = csv_r.text.lstrip("\ufeff").splitlines()[:2]
    assert header.endswith(",as_of,log_positions") and first.endswith(f",2022-04-01,{positions}")
    body = get(stack, "/open-data/statistics.json", as_of="2022-04-01")
    assert set(body["log_positions"]) == {"registry", "funding", "assessment"} and body["rows"]
    xml = httpx.get(f"{pub}/open-data/iati-activities.xml", params={"as_of": "2022-04-01"}, timeout=30)
    assert xml.status_code == 200 and b"log-positions" in xml.content and xml.headers["x-log-positions"]
    xmlschema.XMLSchema(str(IATI_XSD)).validate(xml.content)
