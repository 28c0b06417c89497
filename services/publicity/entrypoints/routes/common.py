"""What every statistics route shares: the "as of" parameter, the district filter, a consistent read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, Query

from shared.http.deps import get_pool
from shared.reference.places import district_code

from services.publicity.domain.asof import AsOf, parse_as_of, parse_known_at
from services.publicity.queries.facts_sql import as_known_at
from services.publicity.queries.positions import log_positions


def _invalid(name: str, message: str) -> HTTPException:
    return HTTPException(422, detail=[{"loc": ["query", name], "msg": message, "type": "value_error"}])


def as_of_param(
    as_of: Annotated[str | None, Query(
        max_length=40,
        description="截至日期或时间（默认现在）/ as of a date (YYYY-MM-DD, end of that day, Beijing time) "
                    "or an ISO timestamp; default now",
        examples=["2023-06-30"])] = None,
    known_at: Annotated[str | None, Query(
        max_length=120,
        description="按当时已知（日志位置，同导出所载）/ as known at these log positions, as every answer and "
                    "export states them: later records, back-dated corrections included, do not count",
        examples=["assessment:120 funding:340 registry:5600"])] = None,
) -> AsOf:
    try:
        asof = parse_as_of(as_of, datetime.now(UTC))
    except ValueError as exc:
        raise _invalid("as_of", str(exc)) from None
    try:
        return replace(asof, known=parse_known_at(known_at))
    except ValueError as exc:
        raise _invalid("known_at", str(exc)) from None


def district_param(
    district: Annotated[str | None, Query(max_length=20, description="区（代码或名称）/ district, code or name")] = None,
) -> str | None:
    if district is None or not district.strip():
        return None
    try:
        return district_code(district)
    except ValueError as exc:
        raise _invalid("district", str(exc)) from None


VILLAGE_CODE = r"^\d{12}$"


@asynccontextmanager
async def snapshot(pool: asyncpg.Pool, asof: AsOf | None = None) -> AsyncIterator[asyncpg.Connection]:
    """One repeatable-read transaction: the figures and the positions they state agree; with
    ``asof.known``, only the facts known at those positions count."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        yield as_known_at(conn, asof.known) if asof is not None else conn


async def envelope(conn: asyncpg.Connection, asof: AsOf, body: dict) -> dict:
    return {**asof.to_json(), "log_positions": await log_positions(conn, asof.known), **body}


async def answer(pool: asyncpg.Pool, asof: AsOf, build: Callable[[asyncpg.Connection], Awaitable[dict]]) -> dict:
    """Build a statistics answer in one snapshot and state its cut-off and log positions."""
    async with snapshot(pool, asof) as conn:
        return await envelope(conn, asof, await build(conn))


Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
AsOfDep = Annotated[AsOf, Depends(as_of_param)]
District = Annotated[str | None, Depends(district_param)]
