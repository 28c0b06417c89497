"""The registry's HTTP API (uvicorn services.registry.entrypoints.api:app)."""

from shared.http.app import create_service_app

from services.registry.entrypoints.routes import villages
from services.registry.projections import PROJECTIONS

app = create_service_app(
    "registry",
    title="兴村 · 登记服务 Xingcun Registry",
    description="行政村、经济薄弱村认定、扶持单位、干部与驻村工作队 / villages, designation, units, cadres and work teams",
    routers=[villages.router],
    read_models=PROJECTIONS,
)
