"""Versioned migrations against the real PostgreSQL: what they make equals what the services'
start-up made before them (the catalogue compared, table by table, column by column), each
is applied once, and a service refuses to start on a database behind its code."""

from __future__ import annotations

import hashlib
import importlib
import secrets
from pathlib import Path

import pytest
from fastapi import APIRouter

from shared.config import SERVICES
from shared.db import connect, drop_database, ensure_database
from shared.http.app import create_service_app
from shared.migrations import BASELINE, EVENT_STORE, Chain, SchemaBehind, check_current, migrate, missing, status
from shared.worker import ServiceResources
from tests.support.db import migrated

# The schema a database had before versioned migrations: what each service's start-up ran (as
# of commit 5186b7c), in its order — the event store, the data keys, the projections' positions,
# the village directory, then its own tables and projections' schema_sql. That DDL made exactly
# the catalogue of the baseline migrations (compared table by table while both were kept, until
# this test's history at 808a4d0); it differed only in text, never in what it made: `if not
# exists` on every statement, an advisory lock, a trigger dropped that no database made since
# 5186b7c has, and columns added by `alter table … add column` that the baseline declares inline
# in the same last places. So a start-up database is made here by running the baseline files
# themselves outside yoyo, as start-up did (no bookkeeping); their SHA-256 is pinned, since a
# baseline migration describes databases already made and may never change.
LEGACY_PARTS = {
    "registry": ("0001_event_store", "0001_privacy_data_keys", "0002_projection_positions",
                 "0001_village_directory", "0001_registry"),
    "funding": ("0001_event_store", "0002_projection_positions", "0001_village_directory", "0001_funding"),
    "assessment": ("0001_event_store", "0001_privacy_data_keys", "0002_projection_positions",
                   "0001_village_directory", "0001_assessment"),
    "publicity": ("0001_event_store", "0002_projection_positions", "0001_publicity"),
    "monitoring": ("0001_event_store", "0001_privacy_data_keys", "0002_projection_positions", "0001_monitoring"),
}
BASELINE_SHA256 = {
    "0001_event_store": "fe73916f39f5e62667da11060cb330f9d92e5118956ac882d4ce559d34b23b05",
    "0002_projection_positions": "98293c2c7028ea15b8b6735a1cc24a4c70df110f9f00676ceb3f88faa2c4c93e",
    "0001_privacy_data_keys": "b62151f36d6daf73eadcabf4325725a6ef824369b378a8a6728f9575289863bf",
    "0001_village_directory": "48b89764488418c33b0cd371a315bbe4029b09ee24f3cc8647c777debbc741b2",
    "0001_registry": "d355d7e597eb1e4609cb53e7568cec2fbbb41215292454f29034c6f5b952b32a",
    "0001_funding": "e914e6e12b1f4eda0d9a412043a6ded4944231cfb8e995961952253f5e725404",
    "0001_assessment": "f5f0b7167be1d797c8973ecc247c82bfaf80f44604bea10209ff5214c771c76b",
    "0001_publicity": "fdb84b2a3a0b8f0b09621802a1bac76e06b35865da70f0c25d14122b6038da50",
    "0001_monitoring": "97add5127906539ff03350fd7b8265e14a433d3284c29988f241ac25595146e1",
}

# Every table, column (type, nullability, default, position), index, constraint and function
# outside yoyo's own bookkeeping.
CATALOGUE = """
select 'column', c.table_schema || '.' || c.table_name || '.' || c.column_name,
       concat_ws(' ', c.data_type, c.udt_name, c.is_nullable, c.column_default, c.ordinal_position::text)
from information_schema.columns c
where c.table_schema not in ('pg_catalog', 'information_schema', 'public')
union all
select 'index', schemaname || '.' || indexname, indexdef from pg_indexes
where schemaname not in ('pg_catalog', 'public')
union all
select 'constraint', n.nspname || '.' || c.conname, pg_get_constraintdef(c.oid)
from pg_constraint c join pg_namespace n on n.oid = c.connamespace
where n.nspname not in ('pg_catalog', 'information_schema', 'public')
union all
select 'function', n.nspname || '.' || p.proname, pg_get_functiondef(p.oid)
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname not in ('pg_catalog', 'information_schema', 'public')
"""


def baseline_files(service: str) -> dict[str, Path]:
    return {f.stem: f for f in chain_of(service).files() if f.stem in BASELINE}


async def make_the_old_way(settings, database: str, service: str) -> None:
    files = baseline_files(service)
    conn = await connect(settings.dsn_for(database))
    try:
        for part in LEGACY_PARTS[service]:
            await conn.execute(files[part].read_text(encoding="utf-8"))
    finally:
        await conn.close()


def chain_of(service: str) -> Chain:
    return importlib.import_module(f"services.{service}.adapters.schema").CHAIN


async def catalogue(settings, database: str) -> set[tuple[str, str, str]]:
    conn = await connect(settings.dsn_for(database))
    try:
        return {tuple(r) for r in await conn.fetch(CATALOGUE)}
    finally:
        await conn.close()


@pytest.fixture
async def databases(settings):
    """Fresh, empty databases on demand; dropped afterwards."""
    made: list[str] = []

    async def make(label: str) -> str:
        name = f"{settings.db_prefix}mig_{label}_{secrets.token_hex(2)}"
        await ensure_database(settings, name)
        made.append(name)
        return name

    yield make
    for name in made:
        await drop_database(settings, name)


@pytest.mark.parametrize("service", SERVICES)
def test_the_baseline_migrations_are_the_schema_start_up_made_unchanged(service):
    files = baseline_files(service)
    assert sorted(files) == sorted(LEGACY_PARTS[service])
    assert {p: hashlib.sha256(f.read_bytes()).hexdigest() for p, f in files.items()} == \
        {p: BASELINE_SHA256[p] for p in files}


@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrations_make_what_start_up_made_and_apply_once(settings, databases, service):
    new, old = await databases(service), await databases(f"{service}_old")
    chain = chain_of(service)
    done = migrate(settings, chain, new)
    assert done.applied == chain.ids() and not done.baselined
    assert migrate(settings, chain, new).applied == []  # a second run applies nothing
    assert status(settings, chain, new) == (chain.ids(), [])
    await make_the_old_way(settings, old, service)
    # A database start-up made, then upgraded: the baseline is taken as applied, what came
    # after it runs; it ends where a fresh database ends.
    upgraded = migrate(settings, chain, old)
    assert upgraded.baselined == [i for i in chain.ids() if i in BASELINE]
    assert upgraded.applied == [i for i in chain.ids() if i not in BASELINE]
    made, before = await catalogue(settings, new), await catalogue(settings, old)
    assert len(before) > 20
    assert sorted(made - before) == [] and sorted(before - made) == []
    # The read models are part of the schema: every projection's tables exist after migrating.
    projections = importlib.import_module(f"services.{service}.projections").PROJECTIONS
    tables = {name.rsplit(".", 1)[0] for kind, name, _ in made if kind == "column"}
    assert {t for p in projections for t in p.tables} <= tables


async def test_a_new_numbered_migration_is_applied_exactly_once(settings, databases, tmp_path):
    database = await databases("new")
    mine = tmp_path / "migrations"
    mine.mkdir()
    (mine / "0001_things.sql").write_text("create schema things;\ncreate table things.a (id int primary key);\n")
    chain = Chain("things", (EVENT_STORE, mine))
    assert migrate(settings, chain, database).applied == ["0001_event_store", "0002_projection_positions",
                                                         "0003_projection_claim_noting", "0001_things"]
    (mine / "0002_things_b.sql").write_text("-- a later release\ninsert into things.a values (1);\n"
                                            "alter table things.a add column note text;\n")
    conn = await connect(settings.app_dsn_for(database))
    try:  # the code knows 0002, the database does not yet: behind
        assert await missing(conn, chain) == ["0002_things_b"]
        with pytest.raises(SchemaBehind, match="0002_things_b"):
            await check_current(conn, chain)
        assert migrate(settings, chain, database, dry_run=True).applied == ["0002_things_b"]
        assert await missing(conn, chain) == ["0002_things_b"]  # a dry run changes nothing
        assert migrate(settings, chain, database).applied == ["0002_things_b"]
        assert migrate(settings, chain, database).applied == []
        await check_current(conn, chain)
        # Once: the insert ran one time; the grants hook gave the application role the new table.
        assert await conn.fetch("select id, note from things.a") == [(1, None)]
    finally:
        await conn.close()


async def test_a_failing_migration_applies_nothing_of_itself(settings, databases, tmp_path):
    database = await databases("bad")
    mine = tmp_path / "migrations"
    mine.mkdir()
    (mine / "0001_half.sql").write_text("create table public.half (id int);\ncreate table nowhere.x (id int);\n")
    with pytest.raises(Exception, match="nowhere"):
        migrate(settings, Chain("half", (EVENT_STORE, mine)), database)
    conn = await connect(settings.dsn_for(database))
    try:  # its transaction rolled back: no half table, and it is still pending
        assert await conn.fetchval("select to_regclass('public.half')") is None
        assert "0001_half" in await missing(conn, Chain("half", (EVENT_STORE, mine)))
    finally:
        await conn.close()


async def test_a_service_refuses_to_start_on_a_database_behind_its_code(settings, databases):
    service = f"behind{secrets.token_hex(2)}"
    database = settings.db_prefix + service
    chain = Chain(service, chain_of("registry").sources)
    quiet = settings.model_copy(update={"otel_exporter": "none"})
    app = create_service_app(service, title="t", description="", routers=[APIRouter()], migrations=chain,
                             settings=quiet)
    with pytest.raises(SchemaBehind, match="does not exist"):  # nor does it create its database
        async with app.router.lifespan_context(app):
            pass
    await ensure_database(settings, database)
    try:
        with pytest.raises(SchemaBehind, match=f"xingcun db migrate --service {service}"):
            async with app.router.lifespan_context(app):
                pass
        with pytest.raises(SchemaBehind, match="0001_registry"):
            await ServiceResources(service, quiet, [], chain).check_schema()
        conn = await connect(settings.dsn_for(database))
        try:  # refusing, it made nothing either
            assert await conn.fetchval("select count(*) from pg_tables where schemaname not in "
                                       "('pg_catalog', 'information_schema')") == 0
        finally:
            await conn.close()
        await migrated(settings, database, chain)
        app = create_service_app(service, title="t", description="", routers=[APIRouter()], migrations=chain,
                                 settings=quiet)
        async with app.router.lifespan_context(app):
            assert app.state.store is not None
    finally:
        await drop_database(settings, database)


async def test_a_database_made_by_earlier_start_ups_is_taken_as_migrated(settings, databases):
    """The upgrade path: the tables exist (made by start-up DDL), yoyo has no record yet."""
    database = await databases("legacy")
    await make_the_old_way(settings, database, "funding")
    chain = chain_of("funding")
    baseline, later = [i for i in chain.ids() if i in BASELINE], [i for i in chain.ids() if i not in BASELINE]
    dry = migrate(settings, chain, database, dry_run=True)
    assert dry.baselined == baseline and dry.applied == later
    assert status(settings, chain, database)[1] == chain.ids()  # the dry run marked nothing
    done = migrate(settings, chain, database)
    assert done.baselined == baseline and done.applied == later
    conn = await connect(settings.app_dsn_for(database))
    try:
        await check_current(conn, chain)  # the application role may read what is applied
    finally:
        await conn.close()


def test_the_cli_migrates_once_and_says_what_failed(settings, monkeypatch):
    """``xingcun db migrate|status`` in-process (typer's runner on the ``db`` sub-app): the same
    commands, without a child process's imports."""
    from typer.testing import CliRunner

    from shared.config import get_settings
    from xingcun_cli.db import app

    mine = settings.model_copy(update={"db_prefix": f"{settings.db_prefix}cli{secrets.token_hex(2)}_"})
    monkeypatch.setenv("XINGCUN_DB_PREFIX", mine.db_prefix)
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    cli = CliRunner()
    try:
        first = cli.invoke(app, ["migrate", "--service", "publicity"])
        assert first.exit_code == 0 and "0001_publicity" in first.output, first.output
        again = cli.invoke(app, ["migrate", "--service", "publicity"])
        assert again.exit_code == 0 and "0001_publicity" not in again.output and "up to date" in again.output
        listed = cli.invoke(app, ["status", "--service", "publicity"])
        assert listed.exit_code == 0 and "0001_publicity" in listed.output and "pending" not in listed.output
        behind = cli.invoke(app, ["status", "--service", "funding"])  # never migrated: said, non-zero
        assert behind.exit_code == 1, behind.output
        unknown = cli.invoke(app, ["migrate", "--service", "nosuch"])
        assert unknown.exit_code == 2 and "unknown service" in unknown.output
    finally:
        get_settings.cache_clear()
        import asyncio

        for service in ("publicity", "funding"):
            asyncio.run(drop_database(mine, mine.db_prefix + service))
