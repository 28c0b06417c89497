"""Kubernetes' probes: liveness (/livez) does not touch the database, readiness (/healthz)
does. A PostgreSQL failover must make the APIs unready, never restart them all."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from shared.db import ensure_database
from shared.http.app import create_service_app
from tests.support.db import EVENT_STORE_ONLY, migrated


async def test_liveness_holds_without_the_database_readiness_does_not(settings):
    service = "probes"
    quiet = settings.model_copy(update={"otel_exporter": "none"})  # no process-wide tracer from this test
    await ensure_database(quiet, quiet.db_prefix + service)
    await migrated(quiet, quiet.db_prefix + service)
    app = create_service_app(service, title="probes", description="", routers=[APIRouter()],
                             migrations=EVENT_STORE_ONLY, settings=quiet)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="http://probes", timeout=10) as client:
            assert (await client.get("/livez")).status_code == 200
            assert (await client.get("/healthz")).status_code == 200
            # The database goes away (as in a failover): the pool can no longer hand out connections.
            await app.state.store.pool.close()
            assert (await client.get("/healthz")).status_code >= 500
            live = await client.get("/livez")
            assert live.status_code == 200 and live.json() == {"status": "ok", "service": service}
            assert "/livez" not in (await client.get("/openapi.json")).json()["paths"]
