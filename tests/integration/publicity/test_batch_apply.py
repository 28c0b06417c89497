"""A batch applied at once leaves the same read model, and the same statistics as of any
date, as its events applied one by one — duplicates in the batch included, and by either
of the statistics projection's two ways in (one statement for a few events, COPY for many).
"""

from __future__ import annotations

from uuid import uuid4

import pytest

from shared.eventstore import RecordedEvent
from shared.messaging.kafka import encode
from shared.projections import Delivery, ProjectionRunner

from services.publicity.adapters.schema import CHAIN
from services.publicity.domain.asof import parse_as_of
from services.publicity.projections import PROJECTIONS
from services.publicity.queries import cadres, designation, income, low_income, money, network, projects
from tests.integration.publicity.scenario import Scenario
from tests.support.db import dispose, fresh_store_pool

DAYS = ("2021-01-09", "2021-02-28", "2021-03-01", "2021-04-01", "2021-06-15", "2021-07-01", "2022-01-31",
        "2022-04-01")


def deliveries(scenario: Scenario) -> list[Delivery]:
    """The scenario as the live worker would receive it, in order across the topics, with in
    each topic a stretch the relay published twice (same positions under new offsets) and,
    at the end, a record delivered again after a crash (an offset already reached)."""
    positions: dict[str, int] = {}
    by_source: dict[str, list[Delivery]] = {}
    out: list[Delivery] = []
    for step in scenario.steps():
        positions[step.source] = positions.get(step.source, 0) + 1
        event = RecordedEvent(
            event_id=uuid4(), type=step.event.event_type, schema_version=step.event.version, source=step.source,
            stream_id=step.stream_id, stream_version=1, global_position=positions[step.source],
            occurred_at=step.occurred_at, recorded_at=step.occurred_at, correlation_id=uuid4(), actor="test",
            payload=step.event.model_dump(mode="json"),
        )
        sent = by_source.setdefault(step.source, [])
        if len(sent) == 4:  # the relay died after Kafka's ack: events 2–4 come again
            for copy in sent[1:4]:
                sent.append(Delivery(copy.topic, 0, len(sent), copy.value, {}))
                out.append(sent[-1])
        sent.append(Delivery(f"{step.source}.events", 0, len(sent), encode(event), {}))
        out.append(sent[-1])
    return out + [sent[0] for sent in by_source.values()]


async def project(settings, label: str, batches: list[list[Delivery]], copy_from: int | None = None):
    name, pool = await fresh_store_pool(settings, label, max_size=4, chain=CHAIN)
    runners = []
    for template in PROJECTIONS:
        projection = type(template)()
        if copy_from is not None:
            projection.copy_from = copy_from
        runner = ProjectionRunner(pool, projection, {s: f"{s}.events" for s in projection.sources})
        runners.append(runner)
    for batch in batches:
        for runner in runners:
            mine = [d for d in batch if d.topic in runner.topics.values()]
            if mine:
                await runner.apply_batch(mine)
    snapshot = {table: rows for runner in runners for table, rows in (await runner.snapshot()).items()}
    async with pool.acquire() as conn:
        statistics = {day: await as_of(conn, day) for day in DAYS}
    await dispose(settings, name, pool)
    return snapshot, statistics


async def as_of(conn, day: str) -> dict:
    when = parse_as_of(day, now=None)  # type: ignore[arg-type]
    return {
        "designation": await designation.summary(conn, when),
        "network": await network.coverage(conn, when),
        "money": await money.money(conn, when),
        "projects": await projects.projects(conn, when),
        "income": await income.income(conn, when),
        "low_income": await low_income.low_income(conn, when),
        "cadres": await cadres.cadres(conn, when),
    }


@pytest.fixture(scope="module")
async def one_by_one(settings):
    stream = deliveries(Scenario())
    return stream, await project(settings, "pubone", [[d] for d in stream])


@pytest.mark.parametrize("copy_from", [10_000, 1], ids=["one statement", "copy"])
async def test_one_batch_equals_one_by_one(settings, one_by_one, copy_from):
    stream, (model, statistics) = one_by_one
    batched_model, batched_statistics = await project(settings, "pubbatch", [stream], copy_from)
    assert batched_model == model  # the change feed's numbers included: same order applied
    assert batched_statistics == statistics


async def test_the_model_is_not_empty_and_the_copies_were_skipped(one_by_one):
    stream, (model, statistics) = one_by_one
    registered = [r for r in model["stats.facts"] if r[3] == "village"]
    assert len(registered) == 4  # each village once, though the relay sent some twice
    assert len(model["stats.changes"]) == len({(r[1], r[2]) for r in model["stats.changes"]})
    assert statistics["2021-02-28"]["designation"]["city"] == {"registered": 4, "designated": 0}
    assert statistics["2021-03-01"]["designation"]["city"] == {"registered": 4, "designated": 2}
    assert statistics["2021-01-09"]["designation"]["city"]["registered"] == 0


async def test_batches_of_any_size_agree(settings, one_by_one):
    stream, (model, statistics) = one_by_one
    halves = [stream[: len(stream) // 3], stream[len(stream) // 3:]]
    assert await project(settings, "pubhalf", halves, copy_from=5) == (model, statistics)
