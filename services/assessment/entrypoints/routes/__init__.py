"""The assessment API's routers, in the order the app (and its OpenAPI document) lists them."""

from services.assessment.entrypoints.routes import (
    assessments,
    catalogue,
    coverage,
    incomes,
    inspections,
    projects,
    villages,
)

ROUTERS = [m.router for m in (catalogue, projects, incomes, coverage, inspections, assessments, villages)]
