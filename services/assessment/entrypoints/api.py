"""The assessment HTTP API (uvicorn services.assessment.entrypoints.api:app)."""

from shared.http.app import create_service_app

app = create_service_app(
    "assessment",
    title="兴村 · 考核服务 Xingcun Assessment",
    description="项目与节点、收入报告、低收入保障、督导与年度考核 / projects, milestones, incomes, coverage, inspections and assessments",
    routers=[],
)
