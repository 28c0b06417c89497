"""Every "come back later" answer is built once (``RetryLater``): raised from a route, sent by a
middleware below FastAPI's handlers, or given for a database or broker away, it is the same
status, the same Retry-After and the same one-problem body; a domain error that names a
wait gets the same header, one that names none gets no header."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.eventstore.errors import DomainError
from shared.http.errors import RetryLater, install_error_handlers


class Behind(DomainError):
    status_code = 503


def refusal() -> RetryLater:
    return RetryLater(7, "请 7 秒后重试", "retry after 7 s", "overloaded", loc=["header", "X"], limit=3)


def build_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.middleware("http")
    async def refuse_below_the_handlers(request, call_next):
        if request.url.path == "/sent":
            return refusal().response()
        return await call_next(request)

    @app.get("/raised")
    async def raised() -> dict:
        raise refusal()

    @app.get("/sent")
    async def sent() -> dict:
        return {}

    @app.get("/away")
    async def away() -> dict:
        raise ConnectionRefusedError("database away")

    @app.get("/behind")
    async def behind() -> dict:
        raise Behind("尚未读完 / not read yet", retry_after=4, unread=2)

    @app.get("/rule")
    async def rule() -> dict:
        raise DomainError("规则不符 / refused")

    return app


async def test_raised_and_sent_refusals_answer_alike_and_the_outage_handler_uses_the_same_shape():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app()), base_url="http://x") as c:
        raised, sent, away = await c.get("/raised"), await c.get("/sent"), await c.get("/away")
    for r in (raised, sent):
        assert r.status_code == 503 and r.headers["Retry-After"] == "7"
        assert r.headers["content-type"] == "application/json"
        assert r.json() == {"detail": [{"loc": ["header", "X"], "msg": "请 7 秒后重试 / retry after 7 s",
                                        "type": "overloaded", "ctx": {"limit": 3}}]}
    assert away.status_code == 503 and away.headers["Retry-After"] == "2"
    assert away.json() == {"detail": [{"loc": [], "msg": "服务暂不可用，请稍后重试 / temporarily unavailable: "
                                                         "ConnectionRefusedError", "type": "unavailable"}]}


def test_a_429_is_the_same_answer_with_its_own_status():
    too_many = RetryLater(30, "连接已满", "too many connections", "too_many_connections", status_code=429)
    assert too_many.status_code == 429 and too_many.headers == {"Retry-After": "30"}
    assert too_many.response().status_code == 429


async def test_a_domain_error_carries_retry_after_only_when_it_names_a_wait():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app()), base_url="http://x") as c:
        behind, rule = await c.get("/behind"), await c.get("/rule")
    assert behind.status_code == 503 and behind.headers["Retry-After"] == "4"
    assert behind.json()["detail"][0]["type"] == "Behind" and behind.json()["detail"][0]["ctx"] == {"unread": "2"}
    assert rule.status_code == 422 and "retry-after" not in rule.headers
