"""Dependencies every service's routes share: the store, the pool, the command headers' types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import unquote
from uuid import UUID

import asyncpg
from fastapi import Depends, Header, Request

from shared.config import get_settings
from shared.dates import IsoDate, IsoDateTime  # noqa: F401  (routes import the strict dates from here too)
from shared.eventstore import CommandMeta, EventStore
from shared.http.auth import Principal
from shared.http.business_time import MAX_REASON, check_business_time, server_now
from shared.tracing import current_traceparent


async def get_store(request: Request) -> EventStore:
    return request.app.state.store


async def get_pool(request: Request) -> asyncpg.Pool:
    return request.app.state.store.pool


CorrelationId = Annotated[UUID | None, Header(description="关联 ID / correlation id of the conversation")]
CausationId = Annotated[UUID | None, Header(description="起因 ID / id of the event or message that caused this command")]
OccurredAt = Annotated[IsoDateTime | None, Header(
    description="业务发生时间 / business time, when recording a past fact: within the configured window "
                "(XINGCUN_BACKDATE_WINDOW_DAYS) for everyone; further back only the city office and finance "
                "officers, with X-Backdate-Reason; never in the future nor before 2021-01-01")]
BackdateReason = Annotated[str | None, Header(
    max_length=3 * 3 * MAX_REASON,
    description="补记理由（UTF-8，百分号编码）/ why a fact is recorded beyond the window, UTF-8 percent-encoded "
                "(HTTP headers are ASCII); recorded with the command")]


def meta_of(principal: Principal, x_correlation_id: UUID | None, x_causation_id: UUID | None,
            x_occurred_at: datetime | None, x_backdate_reason: str | None) -> CommandMeta:
    """The command's metadata from the caller and the ``X-`` headers (the command runner reads
    them: shared/http/commands.py)."""
    kwargs = {"actor": principal.actor, "causation_id": x_causation_id, "traceparent": current_traceparent()}
    if x_correlation_id:
        kwargs["correlation_id"] = x_correlation_id
    if x_occurred_at:
        if x_occurred_at.tzinfo is None:
            from fastapi import HTTPException

            raise HTTPException(422, detail=[{"loc": ["header", "X-Occurred-At"],
                                              "msg": "时间需带时区 / timestamp needs a time zone", "type": "value_error"}])
        settings = get_settings()
        kwargs["backdate_reason"] = check_business_time(
            principal, x_occurred_at, unquote(x_backdate_reason) if x_backdate_reason else None, now=server_now(),
            window_days=settings.backdate_window_days, skew_seconds=settings.clock_skew_seconds)
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
