"""The catalogue as the store holds it (a few short streams): every version of every rule."""

from __future__ import annotations

from shared.eventstore import EventStore

from services.monitoring.domain.rules import CATALOGUE, Rule, first_version
from services.monitoring.handlers.rules import rule_view


async def _rules(store: EventStore, rule_ids: list[str]) -> dict[str, Rule]:
    async with store.pool.acquire() as conn:
        streams = await store.load_streams(conn, [f"rule-{r}" for r in rule_ids])
    return {rid: Rule.rehydrate(rid, streams[f"rule-{rid}"]) for rid in rule_ids}


async def versions(store: EventStore, rule_id: str) -> list[dict]:
    rule = (await _rules(store, [rule_id]))[rule_id]
    return [rule_view(v) for v in (rule.versions or [first_version(CATALOGUE[rule_id])])]


async def latest(store: EventStore) -> list[dict]:
    rules = await _rules(store, list(CATALOGUE))
    return [rule_view((r.versions or [first_version(CATALOGUE[rid])])[-1]) for rid, r in rules.items()]
