"""Running a command from a route: once per idempotency key, 201 the first time, 200 on a replay."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Response, status

from shared.eventstore import CommandMeta, EventStore, UnitOfWork


async def run(
    store: EventStore,
    name: str,
    body: dict[str, Any],
    meta: CommandMeta,
    handler: Callable[[UnitOfWork], Awaitable[dict]],
    idempotency_key: str | None,
    response: Response,
    created: bool = True,
) -> dict:
    done = await store.execute(name, body, meta, handler, idempotency_key)
    response.status_code = status.HTTP_200_OK if done.replayed or not created else status.HTTP_201_CREATED
    return done.result
