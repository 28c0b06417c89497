"""Backup and restore, as documented: ``xingcun backup dump``, then ``xingcun backup restore
--republish --rebuild`` into empty databases and fresh topics — the same chain heads and the
same read models (statistics) as the live system."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from shared.config import Settings
from shared.db import connect, create_pool, drop_database
from shared.eventstore.audit import verify_chain
from tests.faults.checks import model_snapshot, projections_of, table_diff, wait_converged
from tests.faults.conftest import FIGURES
from tests.support.cli import run_cli

pytestmark = pytest.mark.e2e
SERVICES = ("registry", "publicity")




async def heads(settings: Settings) -> dict[str, tuple[int, str]]:
    found = {}
    for service in SERVICES:
        conn = await connect(settings.dsn(service))
        try:
            report = await verify_chain(conn)
        finally:
            await conn.close()
        assert report.ok, report.problem
        found[service] = (report.head_position, report.head_hash)
    return found


async def snapshots(settings: Settings) -> dict[str, dict]:
    found = {}
    for service in SERVICES:
        pool = await create_pool(settings.dsn(service), max_size=2)
        try:
            for projection in projections_of(service):
                async with pool.acquire() as conn:
                    found[f"{service}.{projection.name}"] = await model_snapshot(conn, projection.tables)
        finally:
            await pool.close()
    return found


async def test_dump_restore_rebuild_gives_the_same_heads_and_statistics(private, fault_stack, stream, tmp_path):
    await stream.wait_acknowledged(100)
    await stream.stop()
    await wait_converged(private)
    backup = tmp_path / "backup"
    for _ in range(3):  # the relay may publish a chain checkpoint meanwhile: then take it again
        live_heads, live = await heads(private), await snapshots(private)
        started = time.monotonic()
        dumped = await asyncio.to_thread(run_cli, private, "backup", "dump", str(backup), "--service", "registry",
                                         "--service", "publicity")
        dump_s = time.monotonic() - started
        assert dumped.returncode == 0, dumped.stdout + dumped.stderr
        manifest = json.loads((backup / "manifest.json").read_text())
        dumped_heads = {s: (m["head_position"], m["head_hash"]) for s, m in manifest["services"].items()}
        if dumped_heads == live_heads:
            break
        await wait_converged(private)
    assert dumped_heads == live_heads

    restored = private.model_copy(update={"db_prefix": private.db_prefix + "restored_",
                                          "topic_prefix": private.topic_prefix + "restored."})
    try:
        started = time.monotonic()
        done = await asyncio.to_thread(run_cli, restored, "backup", "restore", str(backup), "--republish", "--rebuild")
        restore_s = time.monotonic() - started
        assert done.returncode == 0, done.stdout + done.stderr
        assert await heads(restored) == live_heads
        rebuilt = await snapshots(restored)
        differs = {name: table_diff(live[name], rebuilt[name]) for name in live if rebuilt.get(name) != live[name]}
        assert not differs, f"read models rebuilt from the restored log differ: {differs}"

        # Never over data: a second restore into the now-filled databases is refused.
        again = await asyncio.to_thread(run_cli, restored, "backup", "restore", str(backup))
        assert again.returncode == 1 and "not empty" in again.stdout, again.stdout
    finally:
        for service in SERVICES:
            await drop_database(restored, restored.db_prefix + service)

    # A damaged backup file is refused before anything is written.
    damaged = bytearray((backup / "registry.dump").read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (backup / "registry.dump").write_bytes(bytes(damaged))
    refused = await asyncio.to_thread(run_cli, restored, "backup", "restore", str(backup), "--service", "registry")
    assert refused.returncode == 1 and "checksum" in refused.stdout, refused.stdout
    conn = await connect(private.dsn_for("postgres"))
    try:
        assert not await conn.fetchval("select 1 from pg_database where datname = $1", restored.db_prefix + "registry")
    finally:
        await conn.close()

    FIGURES["backup_restore"] = {
        "events_restored": sum(m["events"] for m in manifest["services"].values()),
        "dump_bytes": sum(m["size"] for m in manifest["services"].values()),
        "dump_s": round(dump_s, 1),
        "restore_republish_rebuild_s": round(restore_s, 1),
        "read_models_compared": len(live),
        "chain_heads": {s: f"{p}:{h[:16]}…" for s, (p, h) in live_heads.items()},
    }
    print(f"\nbackup_restore: {FIGURES['backup_restore']}")
