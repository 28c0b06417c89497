"""The publicity HTTP API (uvicorn services.publicity.entrypoints.api:app)."""

from shared.http.app import create_service_app
from shared.http.outermost import install_outermost

from services.publicity.adapters.schema import CHAIN
from services.publicity.entrypoints.kept_answers import KeptAnswers
from services.publicity.entrypoints.public_edge import PublicEdge
from services.publicity.entrypoints.routes import (
    dashboard,
    feed,
    figures,
    images,
    notices,
    open_data,
    ops,
    reports,
    stats,
    villages,
)
from services.publicity.projections import PROJECTIONS

app = create_service_app(
    "publicity",
    title="兴村 · 公示与统计 Xingcun Publicity",
    description="实时统计、公示、报道与数据开放 / real-time statistics, notices, reports and open data",
    routers=[stats.router, figures.router, villages.router, feed.router, open_data.router, notices.router,
             reports.router, images.router, ops.router, dashboard.router],
    migrations=CHAIN,
    read_models=PROJECTIONS,
    inner_middleware=[KeptAnswers],
)
install_outermost(app, PublicEdge)  # before admission: the public host's 404 comes first, as before
