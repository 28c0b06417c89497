"""What every assessment route shares: readers, the as-of day, running a command once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Query, Response, status
from pydantic import BaseModel

from shared.eventstore import CommandMeta, EventStore, UnitOfWork
from shared.http.auth import Principal, Role, require
from shared.http.deps import IsoDate, get_pool

from services.assessment.domain.values import business_day

# Everyone but the public: lists name villages, teams and pseudonymous people.
READERS = (Role.district_official, Role.unit, Role.first_secretary, Role.finance_officer, Role.assessor, Role.inspector)
Reader = Annotated[Principal, Depends(require(*READERS))]
Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
MAX_OFFSET = 1_000_000_000  # an offset PostgreSQL's bigint takes; beyond the data a page is empty


def as_of_day(
    as_of: Annotated[IsoDate | None, Query(description="截至日期（北京时间），缺省为今天 / as of this day, default today")] = None,
) -> date:
    return as_of or business_day(datetime.now(UTC))


AsOfDay = Annotated[date, Depends(as_of_day)]


async def run(store: EventStore, command: str, body: BaseModel | dict, meta: CommandMeta,
              handler: Callable[[UnitOfWork], Awaitable[dict[str, Any]]], idempotency_key: str | None,
              response: Response, created: bool = True) -> dict:
    """Execute once per idempotency key; a replay answers 200 with the first result."""
    content = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    done = await store.execute(command, content, meta, handler, idempotency_key)
    response.status_code = status.HTTP_200_OK if done.replayed or not created else status.HTTP_201_CREATED
    return done.result
