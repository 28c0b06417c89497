"""The registry's HTTP API (uvicorn services.registry.entrypoints.api:app)."""

from shared.http.app import create_service_app

from services.registry.adapters.schema import CHAIN
from services.registry.entrypoints.routes import cadres, matching, network, presence, screenings, teams, units, villages
from services.registry.projections import PROJECTIONS

app = create_service_app(
    "registry",
    title="兴村 · 登记服务 Xingcun Registry",
    description=(
        "行政村与基期收入、经济薄弱村精准识别、扶持单位、选派干部、驻村工作队、因需对接与驻村管理。"
        "每次状态变化都是 registry.events 上的事件。 / Villages and their income baselines, screening and "
        "designation of weak villages, supporting units, cadres, work teams, need-based matching and cadre "
        "management. Every state change is an event on registry.events."
    ),
    routers=[villages.router, screenings.router, units.router, cadres.router, teams.router, matching.router,
             presence.router, network.router],
    migrations=CHAIN,
    read_models=PROJECTIONS,
)
