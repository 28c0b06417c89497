"""What must hold after every fault, checked against the database, the topic and the HTTP API.

- every acknowledged command's event is in every projection exactly once (and nothing else is);
- no command is half-applied: an event exists exactly when its idempotency record does;
- order per stream holds on the topic, and every sequenced position was published;
- a projection rebuilt from offset zero equals the live one.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx
from aiokafka import TopicPartition

from shared.config import Settings
from shared.db import connect, create_pool
from shared.messaging.kafka import decode
from shared.messaging.topic_reader import read_to_end
from shared.projections import ProjectionRunner
from tests.faults.load import StreamFigures
from tests.support.programme import projections_of


ACTOR = "city_office:fault-client"  # the principal the command stream's token names


async def _progress(settings: Settings) -> dict[str, int]:
    reg = await connect(settings.dsn("registry"))
    pub = await connect(settings.dsn("publicity"))
    try:
        state = await reg.fetchrow("select last_position, published_position from es.relay_state")
        return {
            "events": await reg.fetchval("select count(*) from es.events"),
            "villages": await reg.fetchval("select count(*) from es.events where type = 'VillageRegistered'"),
            "sequenced": state["last_position"],
            "published": state["published_position"],
            "directory": await reg.fetchval("select count(*) from directory.villages"),
            "stats": await pub.fetchval("select count(*) from stats.villages"),
            # Every projection that reads the registry has applied (or stepped over) the last event.
            "behind": sorted([
                p.name for service, conn in (("registry", reg), ("publicity", pub))
                for p in projections_of(service) if "registry" in p.sources
                if (await conn.fetchval(
                    "select coalesce(max(position), 0) from proj.positions where projection = $1 and topic = $2",
                    p.name, settings.topic("registry"))) < state["published_position"]
            ]),
        }
    finally:
        await reg.close()
        await pub.close()


async def wait_converged(settings: Settings, timeout: float = 90.0) -> float:
    """Seconds until every committed event is sequenced, published and in both projections."""
    started = time.monotonic()
    while True:
        try:
            p = await _progress(settings)
            if p["events"] == p["sequenced"] == p["published"] and p["villages"] == p["directory"] == p["stats"] \
                    and not p["behind"]:
                return time.monotonic() - started
        except (OSError, asyncpg.PostgresError) as exc:
            p = f"database unreachable: {exc!r}"
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not converged within {timeout:.0f} s: {p}")
        await asyncio.sleep(0.1)


def assert_clients_saw_no_error(figures: StreamFigures) -> None:
    assert not figures.unexpected, f"clients got answers other than success or 503: {dict(figures.unexpected)}"
    assert figures.unavailable_without_retry_after == 0, "a 503 came without Retry-After"
    assert not figures.abandoned, f"{len(figures.abandoned)} commands were never acknowledged"


async def assert_exactly_once(settings: Settings, stack, acknowledged: set[str]) -> int:
    """Returns how many (event, projection) pairs were compared."""
    reg = await connect(settings.dsn("registry"))
    pub = await connect(settings.dsn("publicity"))
    try:
        unsequenced = await reg.fetchval(
            """select count(*) from es.events e where type = 'VillageRegistered'
               and not exists (select 1 from es.log l where l.event_row = e.id)""")
        assert unsequenced == 0
        doubled = await reg.fetch(
            """select stream_id, count(*) from es.events where type = 'VillageRegistered'
               group by stream_id having count(*) > 1""")
        assert not doubled, f"a village registered twice: {doubled[:5]}"
        events = {
            r["payload"]["code"]: (r["event_id"], r["position"])
            for r in await reg.fetch(
                """select e.payload, e.event_id, l.position from es.events e
                   join es.log l on l.event_row = e.id where e.type = 'VillageRegistered'""")
        }
        # Every event records who acted: the principal of the client's token.
        actors = {r["actor"] for r in await reg.fetch(
            "select distinct actor from es.events where type = 'VillageRegistered'")}
        assert actors == {ACTOR}, actors
        # A key is recorded within its caller's own space: "<actor>\n<key>" (owned_key).
        keyed = {r["idempotency_key"].partition("\n")[2].removeprefix("fault-")
                 for r in await reg.fetch("select idempotency_key from es.commands")}
        # Half-applied would be an event without its command record, or the reverse.
        assert keyed == set(events), (
            f"events without command: {sorted(set(events) - keyed)[:5]}, commands without event: "
            f"{sorted(keyed - set(events))[:5]}")
        missing = acknowledged - set(events)
        assert not missing, f"{len(missing)} acknowledged commands have no event: {sorted(missing)[:5]}"

        stats = {r["code"]: (r["event_id"], r["position"])
                 for r in await pub.fetch("select code, event_id, position from stats.villages")}
        assert stats == events, _diff("stats.villages", stats, events)
        directory = {r["code"]: r["position"] for r in await reg.fetch("select code, position from directory.villages")}
        assert directory == {c: pos for c, (_, pos) in events.items()}, _diff("directory.villages", directory, events)
    finally:
        await reg.close()
        await pub.close()

    overview = httpx.get(stack.url("publicity") + "/stats/overview", timeout=10).json()
    assert overview["villages_total"] == len(events)
    for name, proc in stack.procs.items():
        assert proc.poll() is None, f"{name} exited ({proc.returncode})"
    return 2 * len(events)


def _diff(name: str, got: dict, want: dict) -> str:
    return (f"{name}: {len(got)} rows for {len(want)} events; missing {sorted(set(want) - set(got))[:5]}, "
            f"extra {sorted(set(got) - set(want))[:5]}, "
            f"different {[c for c in set(got) & set(want) if got[c] != want[c]][:5]}")


async def read_topic(settings: Settings, topic: str) -> dict[TopicPartition, list]:
    """Every record of ``topic`` up to its end as of now, per partition."""
    return await read_to_end(settings, topic)


async def assert_topic_order(settings: Settings, service: str = "registry") -> int:
    """Per partition, positions rise (copies of earlier records aside); per stream, versions
    rise without gaps; every sequenced position was published. Returns records read."""
    published = await _published(settings, (service,))  # before reading: a checkpoint may go out meanwhile
    records = await read_topic(settings, settings.topic(service))
    seen_positions: set[int] = set()
    versions: dict[str, int] = {}
    home: dict[str, int] = {}
    read = 0
    for tp, batch in records.items():
        highest = 0
        for r in batch:
            read += 1
            event = decode(r.value)
            if event.global_position <= highest:
                assert event.global_position in seen_positions, f"position {event.global_position} arrived late"
                continue  # a copy of a record already delivered
            highest = event.global_position
            seen_positions.add(event.global_position)
            assert home.setdefault(event.stream_id, tp.partition) == tp.partition, f"{event.stream_id} in two partitions"
            assert event.stream_version == versions.get(event.stream_id, 0) + 1, (
                f"{event.stream_id}: version {event.stream_version} after {versions.get(event.stream_id, 0)}")
            versions[event.stream_id] = event.stream_version
    assert seen_positions >= set(range(1, published + 1)), "a published position is missing from the topic"
    return read


async def model_snapshot(conn: asyncpg.Connection, tables: tuple[str, ...]) -> dict[str, list]:
    """A projection's rows, sorted, without identity columns: numbers handed out in apply
    order (e.g. the change feed's, which keep rising through a rebuild so feed clients never
    go back) are the one thing a rebuild is not meant to reproduce."""
    snapshot = {}
    for table in tables:
        schema, name = table.split(".")
        columns = [r["column_name"] for r in await conn.fetch(
            """select column_name from information_schema.columns
               where table_schema = $1 and table_name = $2 and is_identity = 'NO'
                 and coalesce(column_default, '') not like 'nextval(%'
               order by ordinal_position""", schema, name)]
        rows = await conn.fetch(f"select {', '.join(columns)} from {table}")
        snapshot[table] = sorted((tuple(r.values()) for r in rows), key=repr)
    return snapshot


async def assert_rebuild_equals_live(settings: Settings, services=("registry", "publicity"),
                                     skip=lambda projection: False) -> int:
    """Rebuild every projection of ``services`` from offset zero; returns events replayed."""
    replayed = 0
    for service in services:
        projections = [p for p in projections_of(service) if not skip(p)]
        pool = await create_pool(settings.dsn(service), max_size=2)
        try:
            for projection in projections:
                runner = ProjectionRunner(pool, projection, {s: settings.topic(s) for s in projection.sources})
                for _ in range(3):
                    # The relay publishes a chain checkpoint now and then; if one arrives between
                    # the snapshot and the rebuild's end, the two saw different logs: take them again.
                    sources = [s for s in projection.sources if s in services]  # what the stack runs
                    before = await _published(settings, sources)
                    async with pool.acquire() as conn:
                        live = await model_snapshot(conn, projection.tables)
                    replayed += await runner.rebuild(settings)
                    async with pool.acquire() as conn:
                        rebuilt = await model_snapshot(conn, projection.tables)
                    if rebuilt == live or await _published(settings, sources) == before:
                        break
                    # Let the live projection take the checkpoint too.
                    await (wait_converged(settings) if projection.sources == ("registry",) else asyncio.sleep(2.0))
                assert rebuilt == live, (
                    f"{service}.{projection.name}: rebuilt model differs from the live one: {table_diff(live, rebuilt)}")
        finally:
            await pool.close()
    return replayed


async def _published(settings: Settings, services=("registry",)) -> int:
    """The published positions of ``services`` summed: it moves when any of them publishes."""
    total = 0
    for service in services:
        conn = await connect(settings.dsn(service))
        try:
            total += await conn.fetchval("select published_position from es.relay_state")
        finally:
            await conn.close()
    return total


def table_diff(live: dict[str, list[tuple]], rebuilt: dict[str, list[tuple]]) -> dict:
    diff = {}
    for table in live:
        a, b = set(map(repr, live[table])), set(map(repr, rebuilt.get(table, [])))
        if a != b:
            diff[table] = {"only_live": sorted(a - b)[:3], "only_rebuilt": sorted(b - a)[:3]}
    return diff
