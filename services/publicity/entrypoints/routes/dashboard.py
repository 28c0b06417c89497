"""大屏 / the public dashboard page, its script and the shared vendor files (ECharts, Tianjin's
geometry) — all served by publicity itself, no CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from shared.dashboard.pages import Page, dashboard_router

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"

router = APIRouter()


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


@router.get("/dashboard", include_in_schema=False)
async def bare() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


LIVE = Page("index.html", "实时统计大屏 / the live dashboard", title="兴村 · 扶持经济薄弱村实时统计", style="app.css")
router.include_router(dashboard_router(DASHBOARD, {"/dashboard/": LIVE}, ("app.js", "app.css")))
