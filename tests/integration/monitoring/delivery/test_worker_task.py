"""The worker's webhook task on its own: on a migrated database it delivers, as the
application role, until stopped."""

from __future__ import annotations

import asyncio
import secrets
import time

import asyncpg

from shared.db import drop_database, ensure_database
from shared.worker import ServiceResources

from services.monitoring.adapters import subscriptions as repo
from services.monitoring.adapters.schema import CHAIN
from services.monitoring.adapters.webhooks import run_in_worker
from services.monitoring.domain.webhooks import Filters
from tests.integration.monitoring.delivery.conftest import Alerts
from tests.integration.monitoring.delivery.test_webhooks import CITY, SECRET
from tests.support.db import migrated


async def test_the_worker_task_delivers_on_a_migrated_database(settings, receiver):
    service = f"mondelw{secrets.token_hex(2)}"
    await ensure_database(settings, settings.db_prefix + service)
    await migrated(settings, settings.db_prefix + service, CHAIN)
    resources = ServiceResources(service, settings, [], CHAIN)
    await resources.check_schema()
    task = asyncio.create_task(run_in_worker(resources, interval=0.02))
    try:
        deadline = time.monotonic() + 30
        while True:  # the pool is there once the task has started
            assert time.monotonic() < deadline, "the worker task never started"
            if resources.pool is not None:
                async with resources.pool.acquire() as conn:
                    try:  # made, and granted to the application role
                        if await conn.fetchval("select count(*) >= 0 from monitoring.deliveries"):
                            break
                    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError,
                            asyncpg.InsufficientPrivilegeError):
                        pass
            await asyncio.sleep(0.05)
        async with resources.pool.acquire() as conn:
            await repo.create(conn, repo.NewSubscription(receiver.url, SECRET, Filters()), CITY)
        alert_id = await Alerts(resources.pool).raise_()
        await asyncio.wait_for(receiver.arrived.wait(), 20)
        assert receiver.requests[0]["headers"]["ce-subject"] == alert_id
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if resources.pool is not None:
            await resources.pool.close()
        await drop_database(settings, settings.db_prefix + service)
