"""A service's dashboard pages and their own script and style, with the shared vendor files.

Each page is one HTML file of the service's ``dashboard/`` folder at a fixed path; its script
and style are served beside it (``/dashboard/<asset>``, so a page links them relatively, as it
links ``vendor/…``), and so are what every page shares, ``common.css`` and ``common.js`` of
``shared/dashboard``. Always revalidated (``no-cache``): a deployment changes them at once.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from shared.dashboard import vendor
from shared.http.bodies import TEXT

SHARED = {name: Path(__file__).resolve().parent / name for name in ("common.css", "common.js")}
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
NO_CACHE = {"Cache-Control": "no-cache"}


def _file(path: Path) -> FileResponse:
    return FileResponse(path, media_type=f"{TYPES[path.suffix]}; charset=utf-8", headers=NO_CACHE)


def _page(path: Path):
    async def page() -> FileResponse:
        return _file(path)
    return page


def dashboard_router(folder: Path, pages: dict[str, tuple[str, str]], assets: tuple[str, ...]) -> APIRouter:
    """``pages``: path → (HTML file in ``folder``, summary for the OpenAPI document)."""
    router = APIRouter(tags=["大屏 dashboard"])
    for path, (name, summary) in pages.items():
        router.add_api_route(path, _page(folder / name), methods=["GET"], summary=summary,
                             response_class=FileResponse,
                             responses={200: {"content": {"text/html": TEXT}, "description": summary}})
    router.include_router(vendor.router)

    @router.get("/dashboard/{asset}", include_in_schema=False)
    async def asset(asset: str) -> FileResponse:
        if asset in SHARED:
            return _file(SHARED[asset])
        if asset not in assets:
            raise HTTPException(404, detail=[{"loc": ["path", "asset"], "type": "not_found", "msg": "未找到 / not found"}])
        return _file(folder / asset)

    return router
