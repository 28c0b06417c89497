"""大屏 / the officials' dashboard at /dashboard/officials: a static page that asks for the
official's bearer token and reads /alerts/summary and /alerts/stream with it (scope applies);
ECharts and the SSE parser from the shared vendor files, no CDN."""

from __future__ import annotations

from pathlib import Path

from shared.dashboard.pages import Page, dashboard_router

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
OFFICIALS = Page("officials.html", "预警大屏（干部）/ the officials' alert dashboard",
                 title="兴村 · 监测预警（干部）", style="officials.css",
                 # an officials' page: nothing it loads or links is told where the request came from
                 meta={"referrer": "no-referrer"})

router = dashboard_router(DASHBOARD, {"/dashboard/officials": OFFICIALS}, ("officials.js", "officials.css"))
