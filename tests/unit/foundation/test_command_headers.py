"""The command runner reads its headers itself (FastAPI's solving of declared headers was most
of a command's framework time): it must accept and refuse exactly what the same headers
declared as FastAPI parameters (``declared_meta`` below, as the runner once took them, and
``IdempotencyKey``) accept and refuse, and the API document must list them as it did."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated
from urllib.parse import quote

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from shared.config import get_settings
from shared.eventstore import CommandMeta
from shared.http.auth import Principal, Role, current_principal, issue_token, require
from shared.http.commands import document_command_headers, runner_type
from shared.http.deps import BackdateReason, CausationId, CorrelationId, IdempotencyKey, OccurredAt, meta_of
from shared.http.errors import install_error_handlers
from shared.http.limits import install_limits
from tests.support.echo_store import EchoStore


class Thing(BaseModel):
    name: str


async def make_thing(uow, cmd: Thing) -> dict:  # never run: the store below answers for it
    raise AssertionError


async def declared_meta(
    principal: Annotated[Principal, Depends(current_principal)],
    x_correlation_id: CorrelationId = None,
    x_causation_id: CausationId = None,
    x_occurred_at: OccurredAt = None,
    x_backdate_reason: BackdateReason = None,
) -> CommandMeta:
    return meta_of(principal, x_correlation_id, x_causation_id, x_occurred_at, x_backdate_reason)


Meta = Annotated[CommandMeta, Depends(declared_meta)]
Run = runner_type({Thing: make_thing})
checked = require(Role.district_official)
Checked = Annotated[Principal, Depends(checked)]
FIELDS = ("actor", "causation_id", "correlation_id", "occurred_at", "backdate_reason")


def build() -> FastAPI:
    app = FastAPI()

    @app.post("/declared")
    async def declared(cmd: Thing, meta: Meta, idempotency_key: IdempotencyKey = None) -> dict:
        return {"meta": meta.model_dump(mode="json"), "key": idempotency_key, "body": cmd.model_dump()}

    @app.post("/runner", status_code=201)
    async def runner(cmd: Thing, run: Run) -> dict:
        return await run(cmd)

    @app.post("/checked", status_code=201)
    async def checked_route(cmd: Thing, who: Checked, run: Run) -> dict:
        return await run(cmd)

    install_error_handlers(app)
    install_limits(app)
    app.state.store = EchoStore()
    return app


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("XINGCUN_JWT_SECRET", "h" * 40)
    monkeypatch.setenv("XINGCUN_BACKDATE_WINDOW_DAYS", "31")
    get_settings.cache_clear()
    yield httpx.AsyncClient(transport=httpx.ASGITransport(app=build()), base_url="http://t")
    get_settings.cache_clear()


def bearer(role: Role = Role.city_office) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(get_settings(), Principal(subject='h', role=role))}"}


CASES = [
    {},
    {"X-Correlation-Id": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "X-Causation-Id": "1b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
     "Idempotency-Key": "k-1"},
    {"X-Correlation-Id": "not-a-uuid"},
    {"X-Causation-Id": "12"},
    {"Idempotency-Key": "k" * 201},
    {"X-Occurred-At": "2021-13-01T00:00:00+08:00"},
    {"X-Occurred-At": "2026-01-01T00:00:00"},  # no time zone
    {"X-Occurred-At": "2099-01-01T00:00:00+08:00"},  # the future
    {"X-Occurred-At": "2022-01-01T00:00:00+08:00"},  # beyond the window, no reason
    {"X-Occurred-At": "2022-01-01T00:00:00+08:00", "X-Backdate-Reason": quote("补录纸质台账 / paper ledger")},
    {"X-Backdate-Reason": "r" * 5000},
    {"x-correlation-id": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "X-Occurred-At": "not a time"},
]


@pytest.mark.parametrize("headers", CASES)
async def test_the_runner_takes_its_headers_as_declared_parameters_would(client, headers):
    sent = bearer() | headers
    declared = await client.post("/declared", json={"name": "甲"}, headers=sent)
    runner = await client.post("/runner", json={"name": "甲"}, headers=sent)
    if declared.status_code == 200:
        assert runner.status_code == 201, runner.text
        mine, theirs = runner.json(), declared.json()
        assert mine["key"] == theirs["key"]
        given = "X-Correlation-Id" in headers or "x-correlation-id" in headers
        fields = [f for f in FIELDS if given or f != "correlation_id"]  # else a fresh one each time
        assert {f: mine["meta"][f] for f in fields} == {f: theirs["meta"][f] for f in fields}
    else:
        assert (runner.status_code, timeless(runner.json())) == (declared.status_code, timeless(declared.json()))
        assert declared.status_code in (403, 422)


def timeless(answer: dict) -> dict:
    """The answer without the server's clock (a refusal of a future time names it)."""
    for problem in answer.get("detail", ()):
        problem.get("ctx", {}).pop("now", None)
    return answer


async def test_a_bad_body_and_no_token_are_refused_as_before(client):
    for headers, body in (({}, {"name": "甲"}), (bearer(), {"nom": 1}), ({"Authorization": "Basic x"}, {"name": "甲"})):
        declared = await client.post("/declared", json=body, headers=headers)
        runner = await client.post("/runner", json=body, headers=headers)
        assert (runner.status_code, runner.json()) == (declared.status_code, declared.json())
        assert declared.status_code in (401, 422)


def test_the_document_lists_the_runners_headers_as_declared_parameters():
    app = build()
    with document_command_headers(app.routes):
        document = app.openapi()
    paths = document["paths"]
    header = [p for p in paths["/declared"]["post"]["parameters"] if p["in"] == "header"]
    runner = paths["/runner"]["post"]["parameters"]
    assert [p["name"] for p in runner] == ["Idempotency-Key", "x-correlation-id", "x-causation-id", "x-occurred-at",
                                           "x-backdate-reason"]
    assert sorted(runner, key=lambda p: p["name"]) == sorted(header, key=lambda p: p["name"])
    # Outside document generation the runner declares no header: FastAPI does not solve them.
    assert all(not d.header_params for d in _runner_dependants(app))


def _runner_dependants(app: FastAPI):
    from shared.http.commands import _runner_dependants as found

    return list(found(app.routes)) or [SimpleNamespace(header_params=["none found"])]


def test_the_role_check_and_the_runner_find_the_caller_without_the_scheme_below_them():
    """At run time neither depends on the bearer scheme (FastAPI would solve it once more for
    each); in the document the scheme is below both, as it was: the route requires it."""
    app = build()
    route = next(r for r in app.routes if getattr(r, "path", None) == "/checked")
    assert [d.call for d in route.dependant.dependencies][:1] == [checked]
    assert all(not d.dependencies for d in route.dependant.dependencies)
    with document_command_headers(app.routes):
        document = app.openapi()
    assert document["paths"]["/checked"]["post"]["security"] == [{"HTTPBearer": []}]
    assert document["paths"]["/runner"]["post"]["security"] == [{"HTTPBearer": []}]
    assert all(not d.dependencies for d in route.dependant.dependencies)  # put back after


async def test_a_role_check_before_the_runner_answers_as_before(client):
    """The runner takes the caller the role check found; a caller the check refuses never reaches it."""
    assert (await client.post("/checked", json={"name": "甲"}, headers=bearer(Role.unit))).status_code == 403
    assert (await client.post("/checked", json={"name": "甲"})).status_code == 401
    official = issue_token(get_settings(), Principal(subject="h", role=Role.district_official, district="120119"))
    answer = await client.post("/checked", json={"name": "甲"}, headers={"Authorization": f"Bearer {official}"})
    assert answer.status_code == 201 and answer.json()["meta"]["actor"] == "district_official:h"
