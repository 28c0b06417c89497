"""The assessment HTTP API (uvicorn services.assessment.entrypoints.api:app)."""

from fastapi import FastAPI

from shared.eventstore import CommandMeta
from shared.http.app import create_service_app

from services.assessment.adapters.schema import CHAIN
from services.assessment.entrypoints.routes import ROUTERS
from services.assessment.handlers.catalogue import seed_catalogue
from services.assessment.projections import PROJECTIONS


async def seed(app: FastAPI) -> None:
    """Version 1 of the task catalogue, once, whichever replica starts first."""
    await app.state.store.execute("SeedCatalogue", {}, CommandMeta(actor="system:seed"), seed_catalogue,
                                  idempotency_key="seed:task-catalogue:v1")


app = create_service_app(
    "assessment",
    title="兴村 · 考核服务 Xingcun Assessment",
    description="项目与节点、收入报告、低收入保障、督导与年度考核 / projects, milestones, incomes, coverage, inspections and assessments",
    routers=ROUTERS,
    migrations=CHAIN,
    read_models=PROJECTIONS,
    on_startup=seed,
)
