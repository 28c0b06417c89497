"""Append: commands that each append one event in their own transaction.

- ours: ``EventStore.execute`` with an idempotency key, creating a village aggregate
  (``uow.new``: no read; the append checks that the stream is new) and appending its
  ``VillageRegistered`` — exactly what ``POST /villages`` does behind HTTP;
- limit: raw asyncpg single-row inserts of the same payload, each its own transaction;
- peer: the ``eventsourcing`` library's PostgreSQL application saving a new aggregate with
  one event, from as many threads.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import eventsourcing.domain as es
from eventsourcing.application import Application

from bench.harness import Bounded, Figure
from shared.config import Settings
from shared.contracts.registry import VillageRegistered
from shared.db import create_pool, drop_database, ensure_database
from shared.eventstore import Aggregate, CommandMeta, EventStore, UnitOfWork
from shared.migrations import EVENT_STORE, Chain, migrate


def village(i: int) -> VillageRegistered:
    return VillageRegistered(
        code=f"120119{i % 1_000_000:06d}", name=f"基准{i}村", district="120119", town="基准镇",
        village_type="agriculture", income_fen={"2018": 12345678, "2019": 13456789, "2020": 14567890},
    )


class Village(Aggregate):
    """The registry's village aggregate, as far as registering goes."""

    stream_prefix = "village"

    def register(self, event: VillageRegistered) -> None:
        if self.exists:
            raise ValueError("already registered")
        self.record(event)


async def register(uow: UnitOfWork, event: VillageRegistered) -> dict:
    aggregate = await uow.new(Village, event.code)  # as services/registry/handlers/villages.py
    aggregate.register(event)
    await uow.save(aggregate)
    return {"code": event.code, "stream_version": aggregate.version}


async def _timed(writers: int, seconds: float, op) -> float:
    """Run ``op(writer, n)`` from ``writers`` tasks until the deadline; return ops/s."""
    bound, counts = Bounded(seconds), [0] * writers

    async def writer(w: int) -> None:
        n = 0
        while not bound.over:
            await op(w, n)
            n += 1
        counts[w] = n

    started = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    return sum(counts) / (time.perf_counter() - started)


async def ours(pool: asyncpg.Pool, writers: int, seconds: float, first: int = 0) -> float:
    """``first``: where this run's village numbers start (each run of one database its own)."""
    store = EventStore(pool, "registry")
    meta = CommandMeta(actor="bench")

    async def op(w: int, n: int) -> None:
        event = village(first + w * 10_000 + n)
        await store.execute("RegisterVillage", event.model_dump(mode="json"), meta,
                            lambda uow: register(uow, event), idempotency_key=str(uuid.uuid4()))

    return await _timed(writers, seconds, op)


async def raw(pool: asyncpg.Pool, writers: int, seconds: float) -> float:
    async with pool.acquire() as conn:
        await conn.execute("create table if not exists bench_raw (id uuid primary key, stream text, payload jsonb)")
    payload = village(1).model_dump(mode="json")

    async def op(w: int, n: int) -> None:
        async with pool.acquire() as conn:
            await conn.execute("insert into bench_raw values ($1, $2, $3)", uuid.uuid4(), f"s-{w}-{n}", payload)

    return await _timed(writers, seconds, op)


SLICES = 5


async def interleaved(ours_pool: asyncpg.Pool, raw_pool: asyncpg.Pool, writers: int, seconds: float,
                      ) -> tuple[float, float]:
    """Ours and raw in alternating slices, ``seconds`` each in all: on a shared machine a burst
    of the neighbours' load then falls on both sides of the ratio, not on one."""
    done = {"ours": 0.0, "raw": 0.0}
    for i in range(SLICES):
        # each slice its own 200,000 village numbers (a writer's 10,000 of them; codes repeat past 1,000,000)
        done["ours"] += await ours(ours_pool, writers, seconds / SLICES, first=i * 200_000)
        done["raw"] += await raw(raw_pool, writers, seconds / SLICES)
    return done["ours"] / SLICES, done["raw"] / SLICES


class PeerVillage(es.Aggregate):
    """The same village in the eventsourcing library's vocabulary."""

    @es.event("Registered")
    def __init__(self, code: str, name: str, district: str, town: str, village_type: str, income_fen: dict):
        self.code = code


def peer(settings: Settings, database: str, writers: int, seconds: float) -> float:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": settings.pg_host, "POSTGRES_PORT": str(settings.pg_port),
        "POSTGRES_USER": settings.pg_user, "POSTGRES_PASSWORD": settings.pg_password,
        "POSTGRES_POOL_SIZE": str(writers), "POSTGRES_MAX_OVERFLOW": "0",
    }
    app = Application(env=env)
    cmd = village(1)
    income = cmd.income_fen
    bound, counts = Bounded(seconds), [0] * writers

    def writer(w: int) -> None:
        n = 0
        while not bound.over:
            app.save(PeerVillage(code=f"{w}-{n}", name=cmd.name, district=cmd.district, town=cmd.town,
                             village_type="agriculture", income_fen=income))
            n += 1
        counts[w] = n

    started = time.perf_counter()
    with ThreadPoolExecutor(writers) as threads:
        for done in [threads.submit(writer, w) for w in range(writers)]:
            done.result()  # a failed writer fails the benchmark instead of counting zero
    rate = sum(counts) / (time.perf_counter() - started)
    app.close()
    return rate


async def run(settings: Settings, seconds: float) -> list[Figure]:
    figures = []
    for writers in (1, 16):
        names = {k: f"{settings.db_prefix}bench_{k}_{os.getpid()}" for k in ("ours", "raw", "peer")}
        for name in names.values():
            await ensure_database(settings, name)
        try:
            await asyncio.to_thread(migrate, settings, Chain("bench", (EVENT_STORE,)), names["ours"])
            pools = [await create_pool(settings.dsn_for(names[k]), min_size=writers, max_size=writers)
                     for k in ("ours", "raw")]
            try:
                ours_rate, raw_rate = await interleaved(*pools, writers, seconds)
            finally:
                for pool in pools:
                    await pool.close()
            peer_rate = await asyncio.to_thread(peer, settings, names["peer"], writers, seconds)
        finally:
            for name in names.values():
                await drop_database(settings, name)
        limit = Figure(f"append, {writers} writer(s) vs raw insert", ours_rate, "events/s", "raw asyncpg insert",
                       raw_rate, target=">= 0.8× raw" if writers == 16 else None)
        limit.met = limit.ratio >= 0.8 if writers == 16 else None
        vs_peer = Figure(f"append, {writers} writer(s) vs eventsourcing", ours_rate, "events/s",
                         "eventsourcing (postgres)", peer_rate, target=">= 3× peer" if writers == 16 else None)
        vs_peer.met = vs_peer.ratio >= 3 if writers == 16 else None
        figures += [limit, vs_peer]
    return figures
