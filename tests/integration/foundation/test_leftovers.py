"""A run's databases, topics and ACLs go when it ends (shared/stack/leftovers.py), and nothing
of another run's, on the real PostgreSQL and broker: the test session's own clean-up relies on it."""

from __future__ import annotations

import asyncio
import secrets

from shared.db import drop_database, ensure_database
from shared.messaging.kafka import ensure_topics, list_topics
from shared.messaging.kafka_admin import apply_acls, granted
from shared.stack.kafka import admin_settings, auth_enabled
from shared.stack.leftovers import forget
from tests.support.db import fetchval


async def databases(settings, prefix: str) -> int:
    return await fetchval(settings.dsn_for("postgres"),
                          "select count(*) from pg_database where starts_with(datname, $1)", prefix)


def acls_on(settings, prefix: str) -> int:
    return sum(1 for b in granted(admin_settings(settings)) if b.name.startswith(prefix))


async def test_forget_removes_one_runs_databases_topics_and_acls_and_nothing_else(settings):
    run, other = f"lo{secrets.token_hex(3)}", f"lo{secrets.token_hex(3)}"
    db = {r: f"{settings.db_prefix}{r}_" for r in (run, other)}
    topics = {r: f"{settings.topic_prefix}{r}." for r in (run, other)}
    admin = admin_settings(settings)
    for r in (run, other):
        for service in ("registry", "funding"):
            await ensure_database(settings, db[r] + service)
        await ensure_topics(admin, [topics[r] + "registry.events", topics[r] + "funding.events"], 1)
        if auth_enabled(settings):
            await asyncio.to_thread(apply_acls, admin, topics[r])
    # A name that only looks alike: LIKE would read its underscores as wildcards.
    lookalike = f"{settings.db_prefix}{run}xregistry".replace("_", "x")
    await ensure_database(settings, lookalike)
    try:
        dropped, deleted = await forget(settings, db[run], topics[run])

        assert sorted(dropped) == [db[run] + "funding", db[run] + "registry"]
        assert sorted(deleted) == [topics[run] + "funding.events", topics[run] + "registry.events"]
        assert await databases(settings, db[run]) == 0 and await databases(settings, db[other]) == 2
        assert await databases(settings, lookalike) == 1
        names = await list_topics(admin)
        assert not [t for t in names if t.startswith(topics[run])]
        assert len([t for t in names if t.startswith(topics[other])]) == 2
        if auth_enabled(settings):
            assert acls_on(settings, topics[run]) == 0 and acls_on(settings, topics[other]) > 0
        assert await forget(settings, db[run], topics[run]) == ([], [])  # twice: nothing left, no error
    finally:
        await forget(settings, db[other], topics[other])
        await drop_database(settings, lookalike)
