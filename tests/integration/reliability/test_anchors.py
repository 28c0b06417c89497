"""Tamper evidence against heads kept outside the database (issue 17 item 4).

A forger with the owner's rights can make the log consistent again after cutting its end,
rewriting an event or reordering two: the chain alone then verifies. The heads the relay
published on Kafka, and an anchor file another bureau keeps, name each of the three.
"""

from __future__ import annotations

import asyncio

import pytest

from shared.eventstore import EventStore
from shared.eventstore.anchors import heads_on_topic, read_anchors, write_anchors
from shared.eventstore.audit import verify_chain
from shared.messaging.kafka import ensure_topics, event_producer
from shared.outbox.publisher import Publisher
from shared.outbox.relay import OutboxRelay
from tests.support.db import dispose, fresh_store_pool, sequence_until
from tests.support.events import append_notes

EVENTS = 12  # then the relay's ChainCheckpointed for position 12 is position 13


@pytest.fixture
async def published(settings):
    """A store whose 12 events and their checkpoint are sequenced and on a real topic."""
    name, pool = await fresh_store_pool(settings, "anchors")
    topic = f"{settings.topic_prefix}anchors-test.events"
    await ensure_topics(settings, [topic], 1)
    producer = event_producer(settings)
    await producer.start()
    store = EventStore(pool, "test")
    try:
        await append_notes(store, EVENTS)
        relay = OutboxRelay(Publisher(pool, producer, source="test", topic=topic), checkpoint_every=5)
        for _ in range(200):
            await relay.drain()
            if len(await store.read_all(0)) > EVENTS:
                break
            await asyncio.sleep(0.05)
        await relay.drain()  # the checkpoint event itself goes out too
        yield pool, topic
    finally:
        await producer.stop()
        await dispose(settings, name, pool)


async def resequence(pool, expected: int) -> None:
    """The forger's last step: forget the log and let the sequencer chain it all again."""
    async with pool.acquire() as conn:
        await conn.execute("delete from es.log")
        await conn.execute("update es.relay_state set last_tx = '0', last_row = 0, last_position = 0, last_hash = '\\x'")
    assert await sequence_until(pool, expected) == expected


async def verify(pool, heads=None):
    async with pool.acquire() as conn:
        return await verify_chain(conn, expected_heads=heads)


async def test_the_relay_publishes_heads_that_verify_in_the_log_and_on_the_topic(published, settings):
    pool, topic = published
    logged = await EventStore(pool, "test").read_all(0)
    in_log = {e.payload["position"]: e.payload["chain_hash"] for e in logged if e.type == "ChainCheckpointed"}
    assert list(in_log) == [EVENTS]  # 12 events since the start; the checkpoint itself is position 13
    assert {e.global_position: e.chain_hash for e in logged}[EVENTS] == in_log[EVENTS]
    assert await heads_on_topic(settings, topic) == in_log
    assert (await verify(pool, in_log)).ok


async def test_a_log_cut_short_is_named_truncated_by_the_heads_on_the_topic(published, settings):
    pool, topic = published
    async with pool.acquire() as conn:  # cut positions 9..13 and set the sequencer back to 8
        cut = await conn.fetch("delete from es.log where position > 8 returning event_row")
        await conn.execute("delete from es.events where id = any($1::bigint[])", [r["event_row"] for r in cut])
        await conn.execute(
            """update es.relay_state s set last_tx = e.tx, last_row = e.id, last_position = l.position,
                      last_hash = l.chain_hash
               from es.log l join es.events e on e.id = l.event_row where l.position = 8""")
    assert (await verify(pool)).ok  # consistent on its own: the gap this closes
    report = await verify(pool, await heads_on_topic(settings, topic))
    assert report.problem.kind == "truncated" and report.head_position == 8
    assert "12" in report.problem.message


async def test_a_rewritten_event_is_named_by_the_anchor_file(published, tmp_path):
    pool, _ = published
    report = await verify(pool)
    write_anchors(tmp_path / "anchors.json", {"test": (report.head_position, report.head_hash)})
    async with pool.acquire() as conn:
        await conn.execute("update es.events set actor = 'forger' where stream_id = 'notebook-2'")
    await resequence(pool, EVENTS + 1)
    assert (await verify(pool)).ok
    report = await verify(pool, read_anchors(tmp_path / "anchors.json")["test"])
    assert report.problem.kind == "head_mismatch" and report.problem.position == EVENTS + 1


async def test_reordered_events_are_named_by_the_anchor_file(published, tmp_path):
    pool, _ = published
    report = await verify(pool)
    write_anchors(tmp_path / "anchors.json", {"test": (report.head_position, report.head_hash)})
    async with pool.acquire() as conn:  # swap the sequencing keys of two events: the order changes
        await conn.execute(
            """with two as (select id, tx from es.events order by id offset 3 limit 2)
               update es.events e set tx = o.tx from two o, two mine
               where mine.id = e.id and o.id <> e.id""")
    await resequence(pool, EVENTS + 1)
    assert (await verify(pool)).ok
    report = await verify(pool, read_anchors(tmp_path / "anchors.json")["test"])
    assert report.problem.kind == "head_mismatch"


def test_an_anchor_file_of_another_format_is_refused(tmp_path):
    (tmp_path / "x.json").write_text('{"services": {}}')
    with pytest.raises(ValueError, match="anchor"):
        read_anchors(tmp_path / "x.json")
