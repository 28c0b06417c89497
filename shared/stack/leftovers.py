"""What a test session or a benchmark run made on the local PostgreSQL and Kafka — databases,
topics and their ACLs under its own random prefixes — removed when it ends.

Left behind, they pile up: a developer's stack held 225 such databases (2.3 GB) and 1,435
partition folders after some weeks of `make test`, and its broker, loading every partition at
start, was no longer ready within `make infra`'s 60 s.
"""

from __future__ import annotations

import asyncio

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from shared.config import Settings
from shared.db import drop_database
from shared.messaging.acls import acl_table
from shared.messaging.credentials import client_options
from shared.messaging.kafka_admin import delete_grants
from shared.stack.kafka import admin_settings, auth_enabled


async def drop_databases(settings: Settings, prefix: str) -> list[str]:
    """Every database whose name begins with ``prefix`` (its connections closed first)."""
    conn = await asyncpg.connect(settings.dsn_for("postgres"))
    try:
        names = [r["datname"] for r in await conn.fetch(
            "select datname from pg_database where starts_with(datname, $1) order by datname", prefix)]
    finally:
        await conn.close()
    for name in names:
        await drop_database(settings, name)
    return names


async def delete_topics(settings: Settings, prefix: str) -> list[str]:
    """Every topic whose name begins with ``prefix``, and the ACLs granted on that prefix."""
    admin_as = admin_settings(settings)
    admin = AIOKafkaAdminClient(**client_options(admin_as), request_timeout_ms=30_000)
    await admin.start()
    try:
        names = sorted(t for t in await admin.list_topics() if t.startswith(prefix))
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()
    if auth_enabled(settings):
        await asyncio.to_thread(delete_grants, admin_as, acl_table(prefix))
    return names


async def forget(settings: Settings, db_prefix: str, topic_prefix: str) -> tuple[list[str], list[str]]:
    """The databases and topics of one run: what `forget` was given as its prefixes."""
    return await drop_databases(settings, db_prefix), await delete_topics(settings, topic_prefix)
