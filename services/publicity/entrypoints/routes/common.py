"""What every statistics route shares: the "as of" parameter, the district filter, a consistent read, the cache."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, Query, Request, Response

from shared.http.deps import get_pool
from shared.reference.places import district_code

from services.publicity.domain.asof import AsOf, parse_as_of, parse_known_at
from services.publicity.domain.disclosure import Disclosure
from services.publicity.entrypoints.reader import disclosure_for
from services.publicity.entrypoints.routes.caching import Rendered, asked_now, cached, json_answer, snapshot
from services.publicity.queries.positions import log_positions


def _invalid(name: str, message: str) -> HTTPException:
    return HTTPException(422, detail=[{"loc": ["query", name], "msg": message, "type": "value_error"}])


KnownAtQuery = Annotated[str | None, Query(
    max_length=120,
    description="按当时已知（日志位置，同导出所载）/ as known at these log positions, as every answer and "
                "export states them: later records, back-dated corrections included, do not count",
    examples=["assessment:120 funding:340 registry:5600"])]


# The parameters' dependencies are coroutines though they never wait: FastAPI runs a plain
# function in a worker thread, and those hops were a quarter of a cached answer's time.
def _known_at(known_at: str | None) -> tuple[tuple[str, int], ...] | None:
    try:
        return parse_known_at(known_at)
    except ValueError as exc:
        raise _invalid("known_at", str(exc)) from None


async def known_at_param(known_at: KnownAtQuery = None) -> tuple[tuple[str, int], ...] | None:
    return _known_at(known_at)


async def as_of_param(
    as_of: Annotated[str | None, Query(
        max_length=40,
        description="截至日期或时间（默认现在）/ as of a date (YYYY-MM-DD, end of that day, Beijing time) "
                    "or an ISO timestamp; default now",
        examples=["2023-06-30"])] = None,
    known_at: KnownAtQuery = None,
) -> AsOf:
    try:
        asof = parse_as_of(as_of, datetime.now(UTC))
    except ValueError as exc:
        raise _invalid("as_of", str(exc)) from None
    return replace(asof, known=_known_at(known_at))


async def district_param(
    district: Annotated[str | None, Query(max_length=20, description="区（代码或名称）/ district, code or name")] = None,
) -> str | None:
    if district is None or not district.strip():
        return None
    try:
        return district_code(district)
    except ValueError as exc:
        raise _invalid("district", str(exc)) from None


VILLAGE_CODE = r"^\d{12}$"


async def envelope(conn: asyncpg.Connection, asof: AsOf, body: dict) -> dict:
    return {**asof.to_json(), "log_positions": await log_positions(conn, asof.known), **body}


Protect = Callable[[Disclosure, dict], dict]


def by_fields(rule: Disclosure, body: dict) -> dict:
    return rule.fields(body)


def disclosed(rule: Disclosure | None, body: dict, protect: Protect = by_fields) -> dict:
    """The answer as its reader may see it: exact for officials (``rule`` None), else every
    count of people suppressed or rounded, and the rule stated in ``disclosure``."""
    return body if rule is None else protect(rule, body) | {"disclosure": rule.note()}


async def answer(request: Request, asof: AsOf, build: Callable[[asyncpg.Connection], Awaitable[dict]],
                 protect: Protect = by_fields) -> Response:
    """A statistics answer computed in one snapshot, stating its cut-off and log positions;
    from the answer cache when this state of the read model has answered it already. Counts of
    people reach the public only through ``protect`` (``domain/disclosure.py``)."""
    now = asked_now(request)
    rule = await disclosure_for(request)

    async def render(conn: asyncpg.Connection, shown: AsOf) -> Rendered:
        body = disclosed(rule, await build(conn), protect)
        return json_answer(await envelope(conn, shown, body), restate=now)

    return await cached(request, render, asof=asof, now=now)


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
KnownAt = Annotated[tuple[tuple[str, int], ...] | None, Depends(known_at_param)]
AsOfDep = Annotated[AsOf, Depends(as_of_param)]
District = Annotated[str | None, Depends(district_param)]
