"""大屏 / the public dashboard page, its script and the shared vendor files (ECharts, Tianjin's
geometry) — all served by publicity itself, no CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from shared.dashboard.pages import dashboard_router

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"

router = APIRouter()


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


@router.get("/dashboard", include_in_schema=False)
async def bare() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


router.include_router(dashboard_router(DASHBOARD, {"/dashboard/": ("index.html", "实时统计大屏 / the live dashboard")},
                                       ("app.js", "app.css")))
