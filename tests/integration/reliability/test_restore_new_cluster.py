"""Restore anywhere: ``xingcun backup restore`` into a freshly initialised cluster, then new
commands — sequenced, chained onto the restored head, published.

A new cluster's transaction ids start far below the ones the backup's events were written
with; the restored cursor must not hide the new events behind them.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

from shared.config import Settings
from shared.db import create_pool, drop_database, ensure_database
from shared.eventstore import CommandMeta, EventStore
from shared.eventstore.audit import verify_chain
from shared.messaging.credentials import pinned
from shared.messaging.kafka import ensure_topics, event_producer
from shared.outbox.publisher import Publisher
from shared.outbox.relay import OutboxRelay
from shared.stack import postgres as pg_stack
from services.registry.adapters.schema import CHAIN
from tests.faults.checks import assert_topic_order, read_topic
from tests.support.cli import run_cli
from tests.support.db import migrated, sequence_until
from tests.support.events import Noted
from tests.support.stack import free_port

META = CommandMeta(actor="test:restore")




@pytest.fixture
def source(settings) -> Settings:
    tag = secrets.token_hex(2)
    return settings.model_copy(update={"db_prefix": f"{settings.db_prefix}rs{tag}_",
                                       "topic_prefix": f"{settings.topic_prefix}rs{tag}."})


@pytest.fixture
def new_cluster(source):
    """A freshly initialised PostgreSQL cluster on a port of its own (stopped and removed after)."""
    state = Path(tempfile.mkdtemp(prefix="xingcun-restore-"))
    state.chmod(0o755)  # the postgres user must reach the data directory
    # Its own state dir, the same broker: the Kafka principal goes along explicitly.
    private = pinned(source).model_copy(update={"state_dir": state, "pg_port": free_port()})
    try:
        pg_stack.ensure_postgres(private)
        yield private
    finally:
        pg_stack.stop_postgres(private)
        data = pg_stack.data_dir(private)
        if state.resolve() not in data.parents:
            shutil.rmtree(data.parent, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)


async def append(pool, stream: str, expected: int, *texts: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await EventStore(pool, "registry").append(conn, stream, expected, [Noted(text=t) for t in texts], META)


async def test_restore_into_a_new_cluster_goes_on_sequencing_and_publishing(source, new_cluster, tmp_path):
    # The live service: 20 events sequenced, 5 more committed but not yet sequenced.
    database = source.db_prefix + "registry"
    await ensure_database(source, database)
    await migrated(source, database, CHAIN)
    pool = await create_pool(source.dsn("registry"), max_size=4)
    try:
        for i in range(20):
            await append(pool, f"notebook-{i % 4}", i // 4, f"n{i}")
        assert await sequence_until(pool, 20) == 20
        for i in range(5):
            await append(pool, f"notebook-{i % 4}", 5 + i // 4, f"late{i}")
        async with pool.acquire() as conn:
            old_tx = await conn.fetchval("select max(tx)::text::bigint from es.events")
    finally:
        await pool.close()
    backup = tmp_path / "backup"
    try:
        dumped = run_cli(source, "backup", "dump", str(backup), "--service", "registry")
        assert dumped.returncode == 0, dumped.stdout + dumped.stderr
    finally:
        await drop_database(source, database)
    manifest_head = json.loads((backup / "manifest.json").read_text())["services"]["registry"]
    assert manifest_head["head_position"] == 20

    restored = run_cli(new_cluster, "backup", "restore", str(backup), "--service", "registry")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    # The schema came whole, with the record of its migrations: nothing to migrate, and the
    # read models' tables are there (empty) for a rebuild to fill.
    status = run_cli(new_cluster, "db", "status", "--service", "registry")
    assert status.returncode == 0 and "pending" not in status.stdout, status.stdout + status.stderr

    topic = new_cluster.topic("registry")
    await ensure_topics(new_cluster, [topic], new_cluster.topic_partitions)
    pool = await create_pool(new_cluster.dsn("registry"), max_size=4)
    producer = event_producer(new_cluster)
    await producer.start()
    try:
        async with pool.acquire() as conn:
            new_tx = await conn.fetchval("select pg_current_xact_id()::text::bigint")
        assert new_tx < old_tx, "the new cluster's transaction ids must be lower for this test to mean anything"
        # New commands after the restore: onto restored streams and a new one.
        await append(pool, "notebook-0", 7, "after-1")
        await append(pool, "notebook-9", 0, "after-2", "after-3")
        relay = OutboxRelay(Publisher(pool, producer, source="registry", topic=topic), checkpoint_every=10**9)
        for _ in range(200):
            await relay.drain()
            async with pool.acquire() as conn:
                state = await conn.fetchrow("select last_position, published_position from es.relay_state")
            if state["published_position"] >= 28:
                break
        assert (state["last_position"], state["published_position"]) == (28, 28)
        async with pool.acquire() as conn:
            report = await verify_chain(conn, expected_heads={20: manifest_head["head_hash"]})
            versions = [r["stream_version"] for r in await conn.fetch(
                """select e.stream_version from es.log l join es.events e on e.id = l.event_row
                   where e.stream_id = 'notebook-0' order by l.position""")]
        assert report.ok and report.head_position == 28, report.problem
        assert versions == list(range(1, 9))
    finally:
        await producer.stop()
        await pool.close()
    # Every position, in per-stream order, on the topic, read back by a plain consumer.
    assert await assert_topic_order(new_cluster) == 28
    records = await read_topic(new_cluster, topic)
    assert sum(len(batch) for batch in records.values()) == 28
