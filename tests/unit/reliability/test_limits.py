"""Body size, string length and page size limits, on a small app built like every service's."""

from __future__ import annotations

import importlib
import re

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from shared.config import SERVICES
from shared.http.limits import MAX_PAGE_SIZE, Cursor, Name, PageSize, install_limits, unbounded_inputs

LIMIT = 1000


class Note(BaseModel):
    title: Name
    body: str = Field(default="", max_length=5000)


class Loose(BaseModel):
    text: str
    tags: list[Name]


def build_app() -> tuple[FastAPI, list]:
    app = FastAPI()
    install_limits(app, max_body_bytes=LIMIT)
    seen: list = []
    router = APIRouter()

    @router.post("/notes")
    async def add(note: Note) -> dict:
        seen.append(note)
        return {"ok": True}

    @router.post("/uploads", max_body_size=10 * LIMIT)
    async def upload(note: Note) -> dict:
        seen.append(note)
        return {"ok": True}

    @router.get("/notes")
    async def page(limit: PageSize = 100, after: Cursor = None) -> dict:
        return {"limit": limit}

    app.include_router(router)
    return app, seen


@pytest.fixture
def client():
    app, seen = build_app()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    client.seen = seen
    return client


async def test_body_within_the_limit_is_accepted(client):
    r = await client.post("/notes", json={"title": "a", "body": "x" * 500})
    assert r.status_code == 200 and len(client.seen) == 1


async def test_body_over_the_limit_is_413_before_anything_runs(client):
    r = await client.post("/notes", json={"title": "a", "body": "x" * 2000})
    assert r.status_code == 413
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body"] and detail["type"] == "too_large" and detail["ctx"]["limit"] == LIMIT
    assert "请求体过大" in detail["msg"] and "too large" in detail["msg"]
    assert client.seen == []


async def test_streamed_body_without_length_is_cut_off_too(client):
    async def chunks():
        yield b'{"title": "a", "body": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'"}'

    r = await client.post("/notes", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["detail"][0]["type"] == "too_large"
    assert client.seen == []


async def test_upload_endpoint_sets_its_own_limit(client):
    assert (await client.post("/uploads", json={"title": "a", "body": "x" * 4000})).status_code == 200
    r = await client.post("/uploads", content=b"x" * (10 * LIMIT + 1), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["detail"][0]["ctx"]["limit"] == 10 * LIMIT


async def test_string_too_long_is_422_on_its_field_without_echoing_it(client):
    r = await client.post("/notes", json={"title": "名" * 101})
    assert r.status_code == 422
    detail = r.json()["detail"][0]
    assert detail["loc"] == ["body", "title"] and detail["type"] == "string_too_long"
    assert detail["msg"].startswith("文本过长 / ")
    assert len(detail["input"]) <= 201
    assert client.seen == []


@pytest.mark.parametrize(("limit", "status"), [(1, 200), (MAX_PAGE_SIZE, 200), (0, 422), (MAX_PAGE_SIZE + 1, 422)])
async def test_page_size_is_bounded(client, limit, status):
    r = await client.get("/notes", params={"limit": limit})
    assert r.status_code == status
    if status == 422:
        assert r.json()["detail"][0]["loc"] == ["query", "limit"]


async def test_cursor_length_is_bounded(client):
    assert (await client.get("/notes", params={"after": "x" * 201})).status_code == 422


def test_openapi_check_finds_unbounded_inputs():
    app, _ = build_app()
    assert unbounded_inputs(app.openapi()) == []

    @app.post("/loose")
    async def loose(body: Loose, limit: int = 10) -> dict:
        return {}

    app.openapi_schema = None
    found = unbounded_inputs(app.openapi())
    assert "POST /loose body.text" in found
    assert "POST /loose body.tags" in found  # a list without maxItems
    assert any("query:limit (no maximum)" in f for f in found)


@pytest.mark.parametrize("service", SERVICES)
async def test_every_endpoint_with_a_body_has_a_limit(service):
    """Uploads may allow more than the default, but none is unlimited: a body announced as
    1 GiB is refused before a byte of it is read."""
    app = importlib.import_module(f"services.{service}.entrypoints.api").app
    operations = [
        (method, re.sub(r"\{[^}]+\}", "1", path), next(iter(op["requestBody"]["content"])))
        for path, item in app.openapi()["paths"].items()
        for method, op in item.items() if isinstance(op, dict) and "requestBody" in op
    ]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for method, path, media in operations:
            kind = f"{media}; boundary=x" if media.startswith("multipart/") else media
            r = await client.request(method.upper(), path, content=b"{}",
                                     headers={"content-type": kind, "content-length": str(1 << 30)})
            assert r.status_code == 413, (method, path, r.text[:200])
            assert r.json()["detail"][0]["type"] == "too_large"
