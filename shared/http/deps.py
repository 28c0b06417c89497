"""Dependencies every service's routes share: the store, the caller, the command metadata."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, Header, Request
from pydantic import BeforeValidator

from shared.eventstore import CommandMeta, EventStore
from shared.http.auth import Principal, current_principal
from shared.tracing import current_traceparent


_ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_8601(value: object) -> object:
    """Dates and times only as ISO 8601 text: pydantic would also take a number as seconds
    since 1970, so a header ``X-Occurred-At: 0.5`` recorded a fact on 1970-01-01."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and not _ISO_8601.match(value)):
        raise ValueError("需为 ISO 8601 格式，如 2023-06-30 或 2023-06-30T08:00:00+08:00 / "
                         "expected ISO 8601, e.g. 2023-06-30 or 2023-06-30T08:00:00+08:00")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_8601)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_8601)]


async def get_store(request: Request) -> EventStore:
    return request.app.state.store


async def get_pool(request: Request) -> asyncpg.Pool:
    return request.app.state.store.pool


async def command_meta(
    principal: Annotated[Principal, Depends(current_principal)],
    x_correlation_id: Annotated[UUID | None, Header(description="关联 ID / correlation id of the conversation")] = None,
    x_causation_id: Annotated[UUID | None, Header(description="起因 ID / id of the event or message that caused this command")] = None,
    x_occurred_at: Annotated[IsoDateTime | None, Header(description="业务发生时间 / business time, when recording a past fact")] = None,
) -> CommandMeta:
    kwargs = {"actor": principal.actor, "causation_id": x_causation_id, "traceparent": current_traceparent()}
    if x_correlation_id:
        kwargs["correlation_id"] = x_correlation_id
    if x_occurred_at:
        if x_occurred_at.tzinfo is None:
            from fastapi import HTTPException

            raise HTTPException(422, detail=[{"loc": ["header", "X-Occurred-At"],
                                              "msg": "时间需带时区 / timestamp needs a time zone", "type": "value_error"}])
        kwargs["occurred_at"] = x_occurred_at
    return CommandMeta(**kwargs)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="幂等键：重试同一请求时使用同一键 / retrying with the same key has its effect once",
    ),
]
Store = Annotated[EventStore, Depends(get_store)]
Meta = Annotated[CommandMeta, Depends(command_meta)]
