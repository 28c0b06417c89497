"""The funding HTTP API (uvicorn services.funding.entrypoints.api:app)."""

from shared.http.app import create_service_app

from services.funding.adapters.schema import CHAIN
from services.funding.entrypoints.routes import allocations, disbursements, lines, policies, reconciliation, villages
from services.funding.projections import PROJECTIONS

app = create_service_app(
    "funding",
    title="兴村 · 资金服务 Xingcun Funding",
    description="预算、分配、拨付审批与对账 / budgets, allocations, disbursement approvals and reconciliation",
    routers=[lines.router, allocations.router, disbursements.router, policies.router, villages.router,
             reconciliation.router],
    migrations=CHAIN,
    read_models=PROJECTIONS,
)
