"""Every operation of every service × every role, no token and a bad token: allowed or denied
exactly as ``permissions.py`` says.

The operations come from each running service's OpenAPI document, so a new endpoint cannot
escape the matrix: one missing from the table fails ``test_every_operation_is_in_the_table``.
A denied call answers 401 (no or bad token) or 403 (wrong role) in the usual error shape and
appends nothing to the service's log; an allowed call is not turned away (its body may still
be refused: the matrix sends an empty one).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import httpx
import jwt
import pytest

from shared.config import SERVICES
from shared.http.auth import Principal, Role, issue_token
from tests.e2e.reliability.permissions import ANYONE, PERMISSIONS, SCOPES, UNSCOPED, allowed
from tests.support.db import fetchval

pytestmark = pytest.mark.e2e
METHODS = ("get", "post", "put", "patch", "delete")
BAD_CALLERS = ("no token", "expired token", "forged token")
# Events commands wrote: the relay's chain checkpoints are appended on a timer, by no call.
WRITTEN = "select count(*) from es.events where type <> 'ChainCheckpointed'"


def callers(settings) -> dict[str, dict[str, str]]:
    """Authorization headers by caller name: each role (with its scope claims), each scoped
    role without its claim (refused everywhere), and three bad ones."""
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    out = {role.value: bearer(issue_token(settings, Principal(subject=f"matrix-{role.value}", role=role,
                                                                **SCOPES.get(role, {}))))
           for role in Role}
    for role in UNSCOPED:
        out[f"{role.value} without scope"] = bearer(issue_token(settings, Principal(subject=f"matrix-{role.value}-x",
                                                                                      role=role)))
    city = Principal(subject="matrix-expired", role=Role.city_office)
    out["no token"] = {}
    out["expired token"] = bearer(issue_token(settings, city, ttl_seconds=-60))
    out["forged token"] = bearer(jwt.encode({"subject": "x", "role": "city_office", "exp": int(time.time()) + 600},
                                            "not-the-configured-secret-at-all-32b", algorithm="HS256"))
    return out


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def sample(schema: dict[str, Any]) -> str:
    """A value a path or required query parameter accepts, so validation is not what answers."""
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return str(min(max(2023, schema.get("minimum", 2023)), schema.get("maximum", 2023)))
    if schema.get("format") == "date":
        return "2023-01-01"
    return {r"^\d{12}$": "120119000001", r"^\d{6}$": "120119", r"^[0-9a-f]{64}$": "0" * 64,
            r"^\d{4}-(0[1-9]|1[0-2])$": "2023-01"}.get(schema.get("pattern", ""), "matrix-x1")


def request_of(method: str, path: str, op: dict[str, Any]) -> dict[str, Any]:
    url, params = path, {}
    for p in op.get("parameters", ()):
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", sample(p["schema"]))
        elif p["in"] == "query" and p.get("required"):
            params[p["name"]] = sample(p["schema"])
    kwargs: dict[str, Any] = {"method": method.upper(), "url": url, "params": params}
    if "application/json" in op.get("requestBody", {}).get("content", {}):
        kwargs["json"] = {}
    return kwargs


def call(client: httpx.Client, request: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
    """Status and (for an error) the JSON body; a stream such as the live feed is not read."""
    with client.stream(**request, headers=headers) as r:
        if r.status_code < 400:
            return r.status_code, None
        r.read()
        try:
            return r.status_code, r.json()
        except ValueError:
            return r.status_code, r.text[:200]


def usual_error_shape(body: Any) -> bool:
    items = body.get("detail") if isinstance(body, dict) else None
    return bool(items) and all(isinstance(i.get("loc"), list) and isinstance(i.get("msg"), str) and
                               isinstance(i.get("type"), str) for i in items)


async def log_sizes(stack) -> dict[str, int]:
    return {service: await fetchval(stack.dsn(service), "select count(*) from es.events") for service in SERVICES}


async def settled(stack, quiet: float = 1.5, timeout: float = 60) -> dict[str, int]:
    """Wait until no service's log grows (reactions of earlier tests may still be arriving)."""
    deadline = time.monotonic() + timeout
    last, since = await log_sizes(stack), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        now = await log_sizes(stack)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise TimeoutError(f"logs still growing: {last}")


@pytest.fixture(scope="module")
def specs(stack) -> dict[str, dict[str, Any]]:
    return {s: httpx.get(stack.url(s) + "/openapi.json", timeout=30).json() for s in SERVICES}


def test_every_operation_is_in_the_table(specs):
    for service, spec in specs.items():
        served = {f"{m.upper()} {p}" for m, p, _ in operations(spec)}
        table = set(PERMISSIONS[service])
        assert sorted(served - table) == [], f"{service}: operations nobody decided the roles of"
        assert sorted(table - served) == [], f"{service}: table rows for operations that no longer exist"


async def test_denied_callers_are_turned_away_and_nothing_is_written(stack, specs, settings):
    headers = callers(settings)
    wrong: list[str] = []
    denied_calls = 0
    await settled(stack)
    for service in SERVICES:
        conn = await asyncpg.connect(stack.dsn(service))
        try:
            with httpx.Client(base_url=stack.url(service), timeout=30) as client:
                for method, path, op in operations(specs[service]):
                    roles = allowed(service, method, path)
                    if roles == ANYONE:
                        continue
                    request = request_of(method, path, op)
                    before = await conn.fetchval(WRITTEN)
                    for caller, auth in headers.items():
                        if caller in roles:
                            continue
                        denied_calls += 1
                        expected = 401 if caller in BAD_CALLERS else 403
                        status, body = call(client, request, auth)
                        if status != expected or not usual_error_shape(body):
                            wrong.append(f"{service} {method.upper()} {path} as {caller}: {status} {str(body)[:160]}")
                    if (after := await conn.fetchval(WRITTEN)) != before:
                        wrong.append(f"{service} {method.upper()} {path}: denied calls appended {after - before} events")
        finally:
            await conn.close()
    assert wrong == [], "\n".join(wrong)
    assert denied_calls > 500


def test_allowed_callers_are_let_through(stack, specs, settings):
    headers = callers(settings)
    wrong: list[str] = []
    for service in SERVICES:
        with httpx.Client(base_url=stack.url(service), timeout=30) as client:
            for method, path, op in operations(specs[service]):
                roles = allowed(service, method, path)
                request = request_of(method, path, op)
                for caller, auth in headers.items():
                    if roles != ANYONE and caller not in roles:
                        continue
                    status, body = call(client, request, auth)
                    if status in (401, 403) or status >= 500:
                        wrong.append(f"{service} {method.upper()} {path} as {caller}: {status} {str(body)[:160]}")
    assert wrong == [], "\n".join(wrong)
