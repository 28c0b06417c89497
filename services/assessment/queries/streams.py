"""Reads answered from an aggregate's own stream: the state a GET shows is the state a command sees."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.eventstore import Aggregate, EventStore

from services.assessment.queries.scope import ReadScope

A = TypeVar("A", bound=Aggregate)


async def aggregate(store: EventStore, cls: type[A], key: str) -> A:
    """``cls`` rehydrated from its stream (an empty stream: the aggregate as new)."""
    return cls.rehydrate(key, (e.decode() for e in await store.read_stream(None, cls(key).stream_id)))


async def visible(store: EventStore, cls: type[A], key: str, scope: ReadScope, sees: Callable[[A], bool],
                  field: str) -> A:
    """One item for a reader: it must exist (404) and lie within the reader's scope (403)."""
    found = await aggregate(store, cls, key)
    found.require_exists()
    scope.require(sees(found), field=field)
    return found
