"""End-to-end helpers: append contract events to the other services' real event stores (their
relays publish them to the real broker), and wait for publicity's figures."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from shared.config import get_settings
from shared.db import create_pool
from shared.http.auth import Principal, Role, issue_token
from shared.eventstore import CommandMeta, EventStore, RecordedEvent

from tests.integration.publicity.scenario import Step


async def append(settings, steps: Iterable[Step]) -> list[RecordedEvent]:
    """Each step in its own transaction, in order, as the owning service would commit it."""
    pools: dict[str, Any] = {}
    recorded = []
    try:
        for step in steps:
            if step.source not in pools:
                pools[step.source] = await create_pool(settings.dsn(step.source), max_size=2)
            store = EventStore(pools[step.source], step.source)
            async with store.pool.acquire() as conn, conn.transaction():
                version = await conn.fetchval(
                    "select coalesce(max(stream_version), 0) from es.events where stream_id = $1", step.stream_id)
                recorded += await store.append(conn, step.stream_id, version, [step.event],
                                               CommandMeta(actor="test:e2e", occurred_at=step.occurred_at))
    finally:
        for pool in pools.values():
            await pool.close()
    return recorded


def get(stack, path: str, _headers: dict[str, str] | None = None, **params) -> dict:
    r = httpx.get(stack.url("publicity") + path, params=params, headers=_headers, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def official() -> dict[str, str]:
    """The city office's token: exact counts of people (the public's are withheld below 5, rounded)."""
    return {"Authorization": f"Bearer {issue_token(get_settings(), Principal(subject='e2e', role=Role.city_office))}"}


def exact(stack, path: str, **params) -> dict:
    """``get`` as the city office."""
    return get(stack, path, official(), **params)


def wait_until(probe: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (AssertionError, httpx.HTTPError) as exc:  # not there yet (404), or a moment's outage
            last = exc
        else:
            if last:
                return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")
