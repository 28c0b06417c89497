"""Limits over real HTTP (uvicorn): a too-large body, a too-long string, a too-large page."""

from __future__ import annotations

import httpx
import pytest

from tests.support.db import events_written
from tests.support.villages import village_body

pytestmark = pytest.mark.e2e


async def test_oversized_body_is_413_and_writes_nothing(stack, token):
    before = await events_written(stack.dsn("registry"))
    body = village_body() | {"name": "村" * 600_000}  # ~1.8 MB of UTF-8
    r = httpx.post(stack.url("registry") + "/villages", json=body, headers=token(), timeout=30)
    assert r.status_code == 413, r.text[:300]
    assert r.json()["detail"][0]["msg"].startswith("请求体过大")
    assert await events_written(stack.dsn("registry")) == before


async def test_too_long_name_is_422_on_the_field(stack, token):
    before = await events_written(stack.dsn("registry"))
    r = httpx.post(stack.url("registry") + "/villages", json=village_body() | {"name": "村" * 5000}, headers=token())
    assert r.status_code == 422
    item = next(i for i in r.json()["detail"] if i["loc"] == ["body", "name"])
    assert item["msg"].startswith("文本过长 / ") and len(item["input"]) <= 201
    assert await events_written(stack.dsn("registry")) == before


def test_page_size_over_the_maximum_is_422(stack, token):
    r = httpx.get(stack.url("registry") + "/villages", params={"limit": 100_000}, headers=token())
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "limit"]
    assert httpx.get(stack.url("registry") + "/villages", params={"limit": 10}, headers=token()).status_code == 200
