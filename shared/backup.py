"""Backup and restore of the services' event stores.

What is kept is what cannot be recomputed: each service's event store (schema ``es``:
events, log with its hash chain, relay checkpoints, idempotency records) and its own
write-side tables (e.g. the registry's constraint tables), with the whole schema as migrated.
Read models' rows are left out: they are rebuilt from the log after a restore. A backup
restored into a newer release is brought up to date by `xingcun db migrate` afterwards.

- ``dump``: per service, ``pg_dump -Fc`` from the same snapshot in which the chain is
  verified, so the manifest's chain head is exactly the dump's. A log whose chain is
  broken is not backed up (the break is reported instead).
- ``restore``: into empty databases only; each file's checksum is checked first and the
  restored chain head must equal the manifest's. The sequencing keys are translated into
  the target cluster (``rebase_sequencing``), so a restore into a new cluster goes on
  sequencing and publishing new events. ``republish`` sends the restored log to
  the topics again (for when the broker's data was lost too: consumers skip copies by
  position); ``rebuild_all`` rebuilds every projection from offset zero.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from shared.config import SERVICES, Settings
from shared.db import connect, create_pool, database_exists, ensure_database
from shared.eventstore.audit import verify_chain
from shared.projections import Projection

MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class ServiceBackup:
    service: str
    file: str
    sha256: str
    size: int
    events: int
    head_position: int
    head_hash: str


# Each service's projections, given by the caller (the command line's composition root):
# shared/ imports no service.
ProjectionsOf = Callable[[str], Sequence[Projection]]


def read_model_tables(projections: Sequence[Projection]) -> list[str]:
    return sorted({t for p in projections for t in p.tables})


def _tool(name: str) -> str:
    from shared.stack.postgres import bin_dir

    return str(bin_dir(install=False) / name)


def _pg_args(settings: Settings, database: str) -> list[str]:
    return ["-h", settings.pg_host, "-p", str(settings.pg_port), "-U", settings.pg_user, "-d", database]


async def _run(argv: list[str], settings: Settings) -> None:
    # The password goes by environment, never on a command line others could read.
    proc = await asyncio.create_subprocess_exec(
        *argv, env={**os.environ, "PGPASSWORD": settings.pg_password},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} 失败 / failed ({proc.returncode}): {(out + err).decode()[-2000:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def dump_service(settings: Settings, service: str, directory: Path,
                       projections: Sequence[Projection]) -> ServiceBackup:
    database = settings.db_prefix + service
    target = directory / f"{service}.dump"
    conn = await connect(settings.dsn(service))
    try:
        # One snapshot for the chain check and for pg_dump: the head recorded is the dump's.
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("select pg_export_snapshot()")
            report = await verify_chain(conn)
            if not report.ok:
                raise BackupError(f"{service}: {report.problem.message}")
            events = await conn.fetchval("select count(*) from es.events")
            # The whole schema, as migrated (with yoyo's record of it), but no read-model rows
            # nor projection positions: a restore rebuilds those from the log.
            excluded = [f"--exclude-table-data={t}" for t in (*read_model_tables(projections), "proj.*")]
            await _run([_tool("pg_dump"), *_pg_args(settings, database), "--format=custom", "--no-owner",
                        f"--snapshot={snapshot}", *excluded, f"--file={target}"], settings)
    finally:
        await conn.close()
    return ServiceBackup(service, target.name, _sha256(target), target.stat().st_size, events,
                         report.head_position, report.head_hash)


async def dump(settings: Settings, directory: Path, projections_of: ProjectionsOf,
               services: list[str] | None = None) -> dict:
    """Dump every service whose database exists; returns (and writes) the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    backups, skipped = [], []
    for service in services or list(SERVICES):
        if not await database_exists(settings, settings.db_prefix + service):
            skipped.append(service)
            continue
        backups.append(await dump_service(settings, service, directory, projections_of(service)))
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "seconds": round(time.monotonic() - started, 2),
        "services": {b.service: asdict(b) for b in backups},
        "skipped": skipped,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    if not path.exists():
        raise BackupError(f"找不到清单 / no {MANIFEST} in {directory}")
    return json.loads(path.read_text())


async def restore_service(settings: Settings, entry: dict, directory: Path) -> ServiceBackup:
    service = entry["service"]
    database = settings.db_prefix + service
    source = directory / entry["file"]
    if _sha256(source) != entry["sha256"]:
        raise BackupError(f"{service}: 备份文件校验和不符 / {source.name} does not match its checksum")
    if await database_exists(settings, database):
        conn = await connect(settings.dsn(service))
        try:
            used = await conn.fetchval(
                "select exists (select 1 from information_schema.tables where table_schema = 'es')")
        finally:
            await conn.close()
        if used:
            raise BackupError(f"{service}: 数据库 {database} 非空，拒绝覆盖 / database {database} is not empty; "
                              "restore goes into empty databases only")
    await ensure_database(settings, database)
    await _run([_tool("pg_restore"), *_pg_args(settings, database), "--no-owner", "--no-privileges",
                "--exit-on-error", "--single-transaction", str(source)], settings)
    conn = await connect(settings.dsn(service))
    try:
        await rebase_sequencing(conn)
        report = await verify_chain(conn)
        events = await conn.fetchval("select count(*) from es.events")
    finally:
        await conn.close()
    if not report.ok:
        raise BackupError(f"{service}: {report.problem.message}")
    if (report.head_position, report.head_hash) != (entry["head_position"], entry["head_hash"]):
        raise BackupError(f"{service}: 恢复后的链头与清单不符 / restored chain head {report.head_position}:"
                          f"{report.head_hash} differs from the manifest's {entry['head_position']}:{entry['head_hash']}")
    return ServiceBackup(service, entry["file"], entry["sha256"], entry["size"], events,
                         report.head_position, report.head_hash)


async def rebase_sequencing(conn: asyncpg.Connection) -> None:
    """Translate the restored sequencing keys (``es.events.tx``) into this cluster.

    They are transaction ids of the cluster that wrote them. In a freshly initialised
    cluster new transactions have far lower ids: new events would sort below the restored
    cursor and never be sequenced; in a cluster whose ids are higher the restored ones
    would merely be older. Either way only their order matters, and only for events not
    yet in the log: every sequenced event gets key 1 and the cursor (1, its last row);
    every event still waiting for a position gets key 2, in its row order (a stream's rows
    are inserted in version order). Both are older than any transaction a cluster runs
    (normal ids start at 3), so what waits is sequenced next and every new event after it.
    The chain does not cover the key: the heads are unchanged.
    """
    async with conn.transaction():
        await conn.execute("""update es.events e set tx = case when exists (
                                  select 1 from es.log l where l.event_row = e.id) then '1'::xid8 else '2'::xid8 end""")
        await conn.execute("""update es.relay_state set last_tx = '1',
                                  last_row = coalesce((select max(event_row) from es.log), 0)""")


async def restore(settings: Settings, directory: Path, services: list[str] | None = None) -> list[ServiceBackup]:
    manifest = read_manifest(directory)
    chosen = services or list(manifest["services"])
    unknown = set(chosen) - set(manifest["services"])
    if unknown:
        raise BackupError(f"备份中没有 / not in this backup: {', '.join(sorted(unknown))}")
    return [await restore_service(settings, manifest["services"][s], directory) for s in chosen]


async def republish(settings: Settings, service: str) -> int:
    """Send the whole restored log to the service's topic again, in position order."""
    from shared.messaging.kafka import ensure_declared_topics, event_producer
    from shared.outbox.publisher import Publisher

    await ensure_declared_topics(settings, [settings.topic(s) for s in SERVICES])
    pool = await create_pool(settings.dsn(service), max_size=2)
    producer = event_producer(settings)
    await producer.start()
    try:
        async with pool.acquire() as conn:
            await conn.execute("update es.relay_state set published_position = 0")
        # Publishing only: sequencing or a checkpoint now would add events the backup never had.
        publisher = Publisher(pool, producer, source=service, topic=settings.topic(service))
        sent = 0
        while published := await publisher.publish_once():
            sent += published
        return sent
    finally:
        await producer.stop()
        await pool.close()


async def rebuild_all(settings: Settings, services: list[str], projections_of: ProjectionsOf) -> dict[str, int]:
    """Rebuild every projection of ``services`` from offset zero; returns events applied per projection."""
    from shared.projections import ProjectionRunner

    applied: dict[str, int] = {}
    for service in services:
        pool = await create_pool(settings.dsn(service), max_size=2)
        try:
            for projection in projections_of(service):
                runner = ProjectionRunner(pool, projection, {s: settings.topic(s) for s in projection.sources})
                applied[f"{service}.{projection.name}"] = await runner.rebuild(settings)
        finally:
            await pool.close()
    return applied
