"""The facts written a batch at a time: the same rows and watermarks as one event at a time,
whatever the batch mixes (sources, tables, rows of two shapes, events with no fact, a copy of
an event already in the batch)."""

from __future__ import annotations

from collections import defaultdict

from shared.messaging.kafka import encode
from shared.projections import Delivery

from tests.integration.assessment.scenario import another_district, world_of_2022


async def test_a_batch_leaves_the_facts_as_its_events_one_at_a_time_do(settings):
    async with world_of_2022(settings, "afbatch") as world:
        await another_district(world)
        runner = world.runners[1]
        one_at_a_time = await runner.snapshot()
        assert len({e.source for e, _ in world.delivered}) >= 2 and len(one_at_a_time["af.presence"]) == 30

        async with world.pool.acquire() as conn:
            for table in runner.projection.tables:
                await conn.execute(f"truncate {table}")
            await conn.execute("delete from proj.positions where projection = $1", runner.projection.name)
        # Interleaved by source, as partitions arrive: each source's positions run ahead of
        # the others', and the first event comes again, under a new offset, in the batch
        # after its own.
        by_source = defaultdict(list)
        for event, partition in world.delivered:
            by_source[event.source].append((event, partition))
        mixed = [pair for group in zip(*by_source.values(), strict=False) for pair in group]
        mixed += [pair for pairs in by_source.values() for pair in pairs[min(map(len, by_source.values())):]]
        mixed.insert(9, mixed[0])
        offsets: dict[tuple[str, int], int] = defaultdict(int)
        deliveries = []
        for event, partition in mixed:
            topic = f"{event.source}.events"
            deliveries.append(Delivery(topic, partition, offsets[topic, partition], encode(event), {}))
            offsets[topic, partition] += 1
        for start in range(0, len(deliveries), 7):
            await runner.apply_batch(deliveries[start:start + 7])

        batched = await runner.snapshot()
        assert batched == one_at_a_time
        # Every event moved its source's watermark, with or without a fact (the catalogue's).
        highest = {e.source: max(x.global_position for x, _ in world.delivered if x.source == e.source)
                   for e, _ in world.delivered}
        assert dict(batched["af.watermarks"]) == highest
        assert batched["af.early"] == []
