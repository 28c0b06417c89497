"""The change feed's hub: the shared server-sent-events hub (``shared/http/sse_hub.py``) over
``stats.changes``, plus the headline the feed sends with every message — computed once per
new change number rather than once per client."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg

from shared.config import get_settings
from shared.http.sse_hub import LogHub

from services.publicity.domain.asof import parse_as_of
from services.publicity.queries.feed import changes_after, last_seq
from services.publicity.queries.headline import headline
from services.publicity.queries.positions import log_positions


class FeedHub(LogHub):
    def __init__(self, pool: asyncpg.Pool, **limits):
        super().__init__(pool, changes_after, last_seq, key="seq", **limits)
        self._figures: tuple[int, dict] | None = None
        self._figures_lock = asyncio.Lock()

    async def figures(self) -> dict:
        """The headline now, with the change number and log positions it reflects."""
        async with self._figures_lock:
            if self._figures and self._figures[0] == self.latest and self._floor is not None:
                return self._figures[1]  # nothing new since: every client shares one computation
            async with self.pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
                seq = await last_seq(conn)
                if self._figures and self._figures[0] == seq:
                    return self._figures[1]
                asof = parse_as_of(None, datetime.now(UTC))
                body = {"seq": seq, "as_of": asof.text, "log_positions": await log_positions(conn, asof.known),
                        "headline": await headline(conn, asof)}
            self._figures = (seq, body)
            return body


def hub_of(state) -> FeedHub:
    """The process's hub, made on first use (``state`` is the app's ``state``)."""
    hub = getattr(state, "feed_hub", None)
    if hub is None:
        settings = get_settings()
        hub = state.feed_hub = FeedHub(state.store.pool, max_connections=settings.feed_max_connections,
                                       max_per_client=settings.feed_max_per_client)
    return hub
