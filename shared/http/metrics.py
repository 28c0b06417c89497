"""``/metrics`` of every service, in Prometheus' text format: how far each projection of the
service is behind its topics, how many records it holds in quarantine, and how far the
relay's publishing is behind its log. A service with a richer ``/metrics`` of its own
(publicity) adds the same quarantine gauge to it (``quarantine_gauge``)."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from shared.messaging.end_offsets import EndOffsets
from shared.projections import Projection
from shared.projections.runner import quarantine_counts

log = structlog.get_logger("xingcun.metrics")


def quarantine_gauge(registry: CollectorRegistry, service: str, projections: Sequence[Projection],
                     held: dict[str, int]) -> None:
    gauge = Gauge("xingcun_projection_quarantined", "Records held in quarantine, waiting for retry or skip",
                  ["service", "projection"], registry=registry)
    for p in projections:
        gauge.labels(service, p.name).set(held.get(p.name, 0))


async def _ends(request: Request, topics: list[str]) -> dict[tuple[str, int], int] | None:
    state = request.app.state
    if getattr(state, "end_offsets", None) is None:
        state.end_offsets = EndOffsets(state.settings)
    try:
        return await state.end_offsets.of(topics)
    except Exception as exc:  # noqa: BLE001 - the broker away: the lag is unknown, the rest still counts
        log.warning("metrics_end_offsets_unavailable", error=repr(exc))
        return None


def metrics_router(service: str, projections: Sequence[Projection]) -> APIRouter:
    router = APIRouter(tags=["运维 operations"])

    @router.get("/metrics", summary="Prometheus 指标 / metrics in Prometheus text format",
                response_class=PlainTextResponse)
    async def metrics(request: Request) -> PlainTextResponse:
        settings = request.app.state.settings
        topic_of = {s: settings.topic(s) for p in projections for s in p.sources}
        ends = await _ends(request, sorted(set(topic_of.values())))
        async with request.app.state.store.pool.acquire() as conn:
            applied = {(r["projection"], r["topic"], r["partition"]): r["offset"] for r in await conn.fetch(
                'select projection, topic, partition, "offset" from proj.positions')} \
                if await conn.fetchval("select to_regclass('proj.positions') is not null") else {}
            held = await quarantine_counts(conn) \
                if await conn.fetchval("select to_regclass('proj.quarantine') is not null") else {}
            relay = await conn.fetchrow("select last_position, published_position from es.relay_state")
        registry = CollectorRegistry()
        behind = Gauge("xingcun_projection_lag_events", "Events in Kafka not yet applied by the projection",
                       ["service", "projection", "topic"], registry=registry)
        for p in projections:
            for source in p.sources:
                topic = topic_of[source]
                behind.labels(service, p.name, topic).set(float("nan") if ends is None else sum(
                    max(0, end - applied.get((p.name, topic, part), -1) - 1)
                    for (t, part), end in ends.items() if t == topic))
        quarantine_gauge(registry, service, projections, held)
        unpublished = Gauge("xingcun_relay_unpublished_events", "Events sequenced into the log, not yet on Kafka",
                            ["service"], registry=registry)
        unpublished.labels(service).set(relay["last_position"] - relay["published_position"])
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
