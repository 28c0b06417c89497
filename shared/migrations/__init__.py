"""Versioned schema migrations (yoyo-migrations): numbered SQL files, applied once each.

A service database's chain is a few directories applied in order: the shared ones here
(``event_store``: the event store and the projections' positions; ``privacy``: the data
keys, for services that seal personal data; ``directory``: the village directory read
model) and the service's own ``services/<name>/adapters/migrations/``. Each service names
its chain in ``adapters/schema.py``. A migration's id is its file name without ``.sql``,
unique across every chain it is part of.

``xingcun db migrate`` applies what is pending, as the owner role; APIs and workers never
run DDL: at start they check with ``check_current`` that every migration of their chain is
applied, and refuse to start when one is not (docs/deployment.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import asyncpg

from shared.config import Settings

HERE = Path(__file__).parent
EVENT_STORE = HERE / "event_store"
PRIVACY = HERE / "privacy"
DIRECTORY = HERE / "directory"

# yoyo's bookkeeping tables (in the owner's default schema, public).
APPLIED_TABLE = "_yoyo_migration"
# Migrations taken as applied in a database whose schema start-up made before this tool
# (es.events present, no APPLIED_TABLE): exactly the schema those start-ups ran.
BASELINE = ("0001_event_store", "0002_projection_positions", "0001_privacy_data_keys", "0001_village_directory",
            "0001_registry", "0001_funding", "0001_assessment", "0001_publicity", "0001_monitoring")
LOCK_TIMEOUT = 120  # seconds a migrator waits for another one on the same database


class SchemaBehind(RuntimeError):
    """The database lacks migrations this code needs: run ``xingcun db migrate`` first."""


@dataclass(frozen=True)
class Chain:
    """The migration directories of one service database, in the order they apply."""

    service: str
    sources: tuple[Path, ...]

    def files(self) -> list[Path]:
        """Every migration file, in order (post-apply hooks, re-run after each migrate, excluded)."""
        return [f for source in self.sources for f in sorted(source.glob("*.sql"))
                if not f.name.startswith("post-apply")]

    def ids(self) -> list[str]:
        return [f.stem for f in self.files()]


@dataclass(frozen=True)
class Outcome:
    database: str
    applied: list[str]  # what this run applied (or, dry, would apply)
    baselined: list[str]  # marked applied without running: a database made by start-up DDL


def yoyo_uri(settings: Settings, database: str) -> str:
    """The owner's connection for yoyo (psycopg 3), telling the grants hook the application role."""
    options = {"options": f"-c xingcun.app_role={settings.pg_app_user if settings.pg_app_user != settings.pg_user else ''}"}
    return (f"postgresql+psycopg://{quote(settings.pg_user, safe='')}:{quote(settings.pg_password, safe='')}"
            f"@{settings.pg_host}:{settings.pg_port}/{quote(database, safe='')}?{urlencode(options)}")


def migrate(settings: Settings, chain: Chain, database: str | None = None, *, dry_run: bool = False) -> Outcome:
    """Apply the chain's pending migrations to ``database`` (default: the service's), each in a
    transaction of its own, then the grants hook. Blocking (yoyo is synchronous)."""
    from yoyo import get_backend, read_migrations

    database = database or settings.db_prefix + chain.service
    backend = get_backend(yoyo_uri(settings, database))
    try:
        migrations = read_migrations(*(str(s) for s in chain.sources))
        with backend.lock(timeout=LOCK_TIMEOUT):
            baselined = _baseline(backend, migrations, mark=not dry_run)
            pending = backend.to_apply(migrations).filter(lambda m: m.id not in baselined)
            if not dry_run:
                backend.apply_migrations(pending)
        return Outcome(database, [m.id for m in pending], baselined)
    finally:
        backend.connection.close()


def _baseline(backend, migrations, *, mark: bool) -> list[str]:
    """In a database whose tables the services' start-up made (before this tool), mark the
    migrations that describe those tables as applied, so none runs against them again."""
    if not backend.execute("select to_regclass('es.events') is not null").fetchone()[0]:
        return []
    if backend.get_applied_migration_hashes():
        return []
    old = migrations.filter(lambda m: m.id in BASELINE)
    if mark:
        backend.mark_migrations(old)
        backend.run_post_apply(migrations)  # the application role may now read what is applied
    return [m.id for m in old]


def status(settings: Settings, chain: Chain, database: str | None = None) -> tuple[list[str], list[str]]:
    """(applied, pending) ids of the chain in ``database``."""
    from yoyo import get_backend, read_migrations

    database = database or settings.db_prefix + chain.service
    backend = get_backend(yoyo_uri(settings, database))
    try:
        migrations = read_migrations(*(str(s) for s in chain.sources))
        pending = {m.id for m in backend.to_apply(migrations)}
        return [i for i in chain.ids() if i not in pending], [i for i in chain.ids() if i in pending]
    finally:
        backend.connection.close()


async def missing(conn: asyncpg.Connection, chain: Chain) -> list[str]:
    """The chain's migrations not applied in ``conn``'s database (any role that may read
    ``_yoyo_migration``: the application role may, by the grants hook)."""
    if await conn.fetchval("select to_regclass($1)", f"public.{APPLIED_TABLE}") is None:
        return chain.ids()
    applied = {r[0] for r in await conn.fetch(f"select migration_id from public.{APPLIED_TABLE}")}
    return [i for i in chain.ids() if i not in applied]


def no_database(service: str, database: str) -> SchemaBehind:
    """What a service says when its database was never created (by `xingcun db migrate`)."""
    return SchemaBehind(f"数据库 {database} 不存在，请先运行 `xingcun db migrate --service {service}` / the database "
                        f"{database} does not exist: run `xingcun db migrate --service {service}` first")


async def check_current(conn: asyncpg.Connection, chain: Chain) -> None:
    """Refuse to go on when the database is behind the code: the services never migrate."""
    if behind := await missing(conn, chain):
        raise SchemaBehind(
            f"数据库 {chain.service} 缺少迁移 {', '.join(behind)}，请先运行 `xingcun db migrate --service "
            f"{chain.service}` / the {chain.service} database lacks migrations {', '.join(behind)}: "
            f"run `xingcun db migrate --service {chain.service}` first")
