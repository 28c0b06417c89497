"""The application's role cannot rewrite history: connected as it, UPDATE, DELETE and TRUNCATE
of the event log are refused by PostgreSQL, while the service's own work (append, sequence,
checkpoint, idempotency records) goes on. Migrations run as the owner, and grant it this much
(shared/migrations/event_store/post-apply-grants.sql); it cannot mark a migration applied either."""

from __future__ import annotations

import asyncpg
import pytest

from shared.db import create_pool
from shared.eventstore import CommandMeta, EventStore
from shared.eventstore.audit import verify_chain
from tests.support.db import dispose, fresh_store_pool, sequence_until
from tests.support.events import Noted

META = CommandMeta(actor="test:tamper")
FORBIDDEN = [
    "update es.events set payload = '{\"text\": \"forged\"}'",
    "update es.events set tx = '1'",
    "delete from es.events",
    "truncate es.events cascade",
    "update es.log set position = position + 1000",
    "delete from es.log",
    "truncate es.log",
    "alter table es.events disable trigger all",
    "drop table es.log",
    "update es.commands set result = '{}'",
    "delete from public._yoyo_migration",
    "insert into public._yoyo_migration (migration_hash, migration_id) values ('x', '9999_forged')",
    "create table es.forged (x int)",
]


@pytest.fixture
async def as_app(settings):
    """A migrated event store with 5 sequenced events, and a pool of the application role."""
    name, owner = await fresh_store_pool(settings, "tamper")
    app = await create_pool(settings.app_dsn_for(name), max_size=4)
    yield owner, app
    await app.close()
    await dispose(settings, name, owner)


async def test_the_app_role_appends_and_sequences_but_cannot_change_the_log(as_app, settings):
    owner, app = as_app
    assert settings.pg_app_user != settings.pg_user
    store = EventStore(app, "test")
    for i in range(5):  # the service's own work, as the application role
        await store.execute("Note", {"i": i}, META, lambda uow, i=i: _note(uow, store, i), idempotency_key=f"k{i}")
    assert await sequence_until(app, 5) == 5
    async with app.acquire() as conn:
        assert await conn.fetchval("select current_user") == settings.pg_app_user
        assert not await conn.fetchval("select rolsuper from pg_roles where rolname = current_user")
        for sql in FORBIDDEN:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(sql)
        assert (await verify_chain(conn)).checked == 5
    async with owner.acquire() as conn:  # nothing changed
        assert await conn.fetchval("select count(*) from es.events") == 5
        assert (await verify_chain(conn)).ok


async def _note(uow, store, i):
    await store.append(uow.conn, f"notebook-{i}", 0, [Noted(text=str(i))], META)
    return {"i": i}
