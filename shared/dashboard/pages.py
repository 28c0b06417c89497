"""A service's dashboard pages and their own script and style, with the shared vendor files.

Each page is one HTML file of the service's ``dashboard/`` folder at a fixed path; its script
and style are served beside it (``/dashboard/<asset>``, so a page links them relatively, as it
links ``vendor/…``), and so are what every page shares, ``common.css`` and ``common.js`` of
``shared/dashboard``. Always revalidated (``no-cache``): a deployment changes them at once.

A page's file holds its ``<body>`` only: the ``<head>`` every page writes the same way
(``head.html``: charset, viewport, the shared and the page's stylesheet, no favicon request) is
put before it when served, with the page's title, stylesheet and any ``<meta>`` of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from string import Template

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from shared.dashboard import vendor
from shared.http.bodies import TEXT

HERE = Path(__file__).resolve().parent
SHARED = {name: HERE / name for name in ("common.css", "common.js")}
HEAD = HERE / "head.html"
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
NO_CACHE = {"Cache-Control": "no-cache"}


def _file(path: Path) -> FileResponse:
    return FileResponse(path, media_type=f"{TYPES[path.suffix]}; charset=utf-8", headers=NO_CACHE)


@dataclass(frozen=True)
class Page:
    """``body``: the HTML file in the service's folder; ``summary``: for the OpenAPI document;
    ``title``, ``style`` and ``meta`` (name → content): what its ``<head>`` says of its own."""
    body: str
    summary: str
    title: str
    style: str
    meta: dict[str, str] = field(default_factory=dict)

    def html(self, folder: Path) -> str:
        # Read on each request, as the assets are: a file changed on disk is served at once.
        meta = "".join(f'  <meta name="{escape(k)}" content="{escape(v)}">\n' for k, v in self.meta.items())
        head = Template(HEAD.read_text(encoding="utf-8")).substitute(
            meta=meta, title=escape(self.title), style=escape(self.style))
        return head + (folder / self.body).read_text(encoding="utf-8")


def _page(folder: Path, served: Page):
    async def page() -> Response:  # the name is the OpenAPI operationId's stem
        return Response(served.html(folder), media_type="text/html; charset=utf-8", headers=NO_CACHE)
    return page


def dashboard_router(folder: Path, pages: dict[str, Page], assets: tuple[str, ...]) -> APIRouter:
    """``pages``: path → the page served there."""
    router = APIRouter(tags=["大屏 dashboard"])
    for path, page in pages.items():
        router.add_api_route(path, _page(folder, page), methods=["GET"], summary=page.summary,
                             response_class=FileResponse,
                             responses={200: {"content": {"text/html": TEXT}, "description": page.summary}})
    router.include_router(vendor.router)

    @router.get("/dashboard/{asset}", include_in_schema=False)
    async def asset(asset: str) -> FileResponse:
        if asset in SHARED:
            return _file(SHARED[asset])
        if asset not in assets:
            raise HTTPException(404, detail=[{"loc": ["path", "asset"], "type": "not_found", "msg": "未找到 / not found"}])
        return _file(folder / asset)

    return router
