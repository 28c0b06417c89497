"""The monitoring HTTP API (uvicorn services.monitoring.entrypoints.api:app)."""

from fastapi import FastAPI

from shared.eventstore import CommandMeta
from shared.http.app import create_service_app

from services.monitoring.adapters.schema import CHAIN
from services.monitoring.domain.rules import CATALOGUE
from services.monitoring.entrypoints.routes import ROUTERS
from services.monitoring.handlers.rules import seed_rules
from services.monitoring.projections import PROJECTIONS


async def seed(app: FastAPI) -> None:
    """Version 1 of every rule, once, whichever replica starts first (a rule added to the code
    later makes a new key, and only it is seeded)."""
    await app.state.store.execute("SeedRules", {}, CommandMeta(actor="system:seed"), seed_rules,
                                  idempotency_key=f"seed:rule-catalogue:{','.join(sorted(CATALOGUE))}")


app = create_service_app(
    "monitoring",
    title="兴村 · 监测预警服务 Xingcun Monitoring",
    description="规则目录、业务日、预警的发现、升级、确认与解除 / the rule catalogue, business days, and alerts: raised, "
                "escalated, acknowledged, resolved",
    routers=ROUTERS,
    migrations=CHAIN,
    read_models=PROJECTIONS,
    on_startup=seed,
)
