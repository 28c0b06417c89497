"""大屏 / the dashboard page, its script and ECharts — all served by publicity itself, no CDN."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, RedirectResponse

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
# ECharts comes from npm (``npm ci`` in services/publicity/dashboard, run by ``make``).
ECHARTS = DASHBOARD / "node_modules" / "echarts" / "dist" / "echarts.min.js"
ASSETS = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css"}

router = APIRouter(tags=["大屏 dashboard"])


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


@router.get("/dashboard", include_in_schema=False)
async def bare() -> RedirectResponse:
    return RedirectResponse("/dashboard/")


@router.get("/dashboard/", summary="实时统计大屏 / the live dashboard", response_class=FileResponse,
            responses={200: {"content": {"text/html": {}}, "description": "大屏页面 / the dashboard page"}})
async def page() -> FileResponse:
    return FileResponse(DASHBOARD / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})


@router.get("/dashboard/vendor/echarts.min.js", include_in_schema=False)
async def echarts() -> FileResponse:
    if not ECHARTS.exists():
        raise HTTPException(503, detail=[{"loc": [], "type": "unavailable",
                                          "msg": "ECharts 未安装，请运行 make / ECharts not installed: run `make` "
                                                 "(npm ci in services/publicity/dashboard)"}])
    return FileResponse(ECHARTS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/dashboard/{asset}", include_in_schema=False)
async def asset(asset: str) -> FileResponse:
    if asset not in ASSETS:
        raise HTTPException(404, detail=[{"loc": ["path", "asset"], "type": "not_found", "msg": "未找到 / not found"}])
    return FileResponse(DASHBOARD / asset, media_type=f"{ASSETS[asset]}; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})
