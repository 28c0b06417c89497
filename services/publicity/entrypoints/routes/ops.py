"""运维 / how fresh the statistics are: projection lag as JSON and in Prometheus' text format,
with the records each projection holds in quarantine."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from shared.http.metrics import quarantine_gauge
from shared.projections.runner import quarantine_counts

from services.publicity.entrypoints.schemas import Lag
from services.publicity.adapters.kafka_offsets import EndOffsets
from services.publicity.projections import PROJECTIONS
from services.publicity.queries.feed import last_seq
from services.publicity.queries.lag import projection_lag

router = APIRouter(tags=["运维 operations"])


async def _lag(request: Request) -> tuple[list[dict], int]:
    state = request.app.state
    settings = state.settings
    if getattr(state, "end_offsets", None) is None:
        state.end_offsets = EndOffsets(settings)
    topic_of = {s: settings.topic(s) for p in PROJECTIONS for s in p.sources}
    ends = await state.end_offsets.of(sorted(set(topic_of.values())))
    async with state.store.pool.acquire() as conn:
        return await projection_lag(conn, PROJECTIONS, topic_of, ends, datetime.now(UTC)), await last_seq(conn)


@router.get("/stats/lag", summary="读模型延迟（事件数与秒）/ how far behind each projection is")
async def lag(request: Request) -> Lag:
    projections, seq = await _lag(request)
    return {"projections": projections, "feed_seq": seq}  # type: ignore[return-value]


@router.get("/metrics", summary="Prometheus 指标 / metrics in Prometheus text format", response_class=PlainTextResponse,
             responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}})
async def metrics(request: Request) -> PlainTextResponse:
    projections, seq = await _lag(request)
    registry = CollectorRegistry()
    events = Gauge("xingcun_projection_lag_events", "Events in Kafka not yet applied by the projection",
                   ["service", "projection", "topic"], registry=registry)
    seconds = Gauge("xingcun_projection_lag_seconds",
                    "Seconds since the last applied event was recorded, while events wait (0 when caught up)",
                    ["service", "projection"], registry=registry)
    position = Gauge("xingcun_projection_applied_position", "Highest global log position applied",
                     ["service", "projection", "source"], registry=registry)
    feed = Gauge("xingcun_feed_last_change", "Number of the last change in the live feed", ["service"],
                 registry=registry)
    for p in projections:
        s = p["seconds_behind"]
        seconds.labels("publicity", p["projection"]).set(math.nan if s is None else s)
        for t in p["topics"]:
            events.labels("publicity", p["projection"], t["topic"]).set(t["events_behind"])
            position.labels("publicity", p["projection"], t["source"]).set(t["applied_position"])
    feed.labels("publicity").set(seq)
    async with request.app.state.store.pool.acquire() as conn:
        quarantine_gauge(registry, "publicity", PROJECTIONS, await quarantine_counts(conn))
    return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
