"""Hostile input (issue 18, item 7): no request model of any service takes a number as a date,
and a NUL character anywhere in a request is a 4xx before any route runs."""

from __future__ import annotations

import datetime as dt
import importlib
import typing

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.config import SERVICES
from shared.dates import IsoDate
from shared.http.errors import install_error_handlers
from shared.http.limits import install_limits


def _apps() -> dict[str, FastAPI]:
    return {s: importlib.import_module(f"services.{s}.entrypoints.api").app for s in SERVICES}


def _kinds(annotation):
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _kinds(typing.get_args(annotation)[0])
    elif origin in (list, tuple, set, frozenset):
        for arg in typing.get_args(annotation):
            for kind in _kinds(arg):
                yield kind if not (isinstance(kind, type) and issubclass(kind, BaseModel)) else _Listed(kind)
    elif origin is not None:  # a union
        for arg in typing.get_args(annotation):
            yield from _kinds(arg)
    else:
        yield annotation


class _Listed:
    def __init__(self, model):
        self.model = model


def _all_date_fields(model, prefix=()):
    for name, field in model.model_fields.items():
        loc = (*prefix, field.alias or name)
        for kind in _kinds(field.annotation):
            if kind is dt.date or kind is dt.datetime:
                yield loc, field.annotation
            elif isinstance(kind, _Listed):
                yield from _all_date_fields(kind.model, (*loc, 0))
            elif isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from _all_date_fields(kind, loc)


def _api_routes(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:  # FastAPI's included routers
            yield from _api_routes(included.routes)


def _request_models():
    for service, app in _apps().items():
        for route in _api_routes(app.routes):
            if route.body_field is not None:
                kind = route.body_field.field_info.annotation
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    yield service, route, kind


def _nest(loc: tuple, value) -> dict:
    out = value
    for part in reversed(loc):
        out = [out] if isinstance(part, int) else {part: out}
    return out


def _merge(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: _merge(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in a | b}
    return a


def test_every_date_in_every_request_body_refuses_a_number():
    accepted, checked = [], 0
    for service, route, model in _request_models():
        for loc, _ in _all_date_fields(model):
            for number in (20210101, 1_609_459_200, 0.5):
                checked += 1
                try:
                    model.model_validate(_nest(loc, number))
                except Exception as exc:  # noqa: BLE001 — pydantic's ValidationError
                    errors = getattr(exc, "errors", lambda: [])()
                    if any(tuple(e["loc"][:len(loc)]) == loc for e in errors):
                        continue
                accepted.append(f"{service} {sorted(route.methods)[0]} {route.path} {'.'.join(map(str, loc))} "
                                f"took {number!r}")
    assert accepted == [], "\n".join(sorted(set(accepted)))
    assert checked >= 3 * 15  # presence day, leave dates, entry date, covered_on, deadline, due_on, ...


def test_the_strict_date_takes_iso_text_only():
    from pydantic import TypeAdapter

    strict = TypeAdapter(IsoDate)
    assert strict.validate_python("2023-06-30") == dt.date(2023, 6, 30)
    for bad in (20230630, 1_688_083_200, 0.5, "1688083200", "30/06/2023", True):
        with pytest.raises(ValueError):
            strict.validate_python(bad)


class Body(BaseModel):
    name: str


def _echo_app() -> FastAPI:
    app = FastAPI()
    router = APIRouter()

    @router.post("/echo")
    async def echo(body: Body, q: str | None = None) -> dict:
        return {"name": body.name, "q": q}

    app.include_router(router)
    install_error_handlers(app)
    install_limits(app, 1024)
    return app


@pytest.mark.parametrize("request_kwargs, where", [
    ({"content": b'{"name": "a\\u0000b"}'}, "body"),
    ({"content": b'{"name": "a\\\\\\u0000"}'}, "body"),  # an escaped backslash, then a NUL
    ({"content": b'{"name": "ok"}', "params": {"q": "x\x00y"}}, "query"),
])
async def test_a_nul_character_is_a_422_not_a_500(request_kwargs, where):
    transport = httpx.ASGITransport(app=_echo_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.post("/echo", headers={"Content-Type": "application/json"}, **request_kwargs)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == [where] and r.json()["detail"][0]["type"] == "nul_character"


async def test_text_that_only_looks_like_a_nul_escape_is_let_through():
    transport = httpx.ASGITransport(app=_echo_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.post("/echo", headers={"Content-Type": "application/json"},
                              content=b'{"name": "C:\\\\u0000dir"}')  # the text \u0000, backslash escaped
    assert r.status_code == 200 and r.json()["name"] == "C:\\u0000dir"
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        big = await client.post("/echo", headers={"Content-Type": "application/json"},
                                content=b'{"name": "' + b"x" * 2000 + b'"}')
    assert big.status_code == 413
