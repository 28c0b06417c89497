"""Each dashboard page is served whole: the shared ``<head>`` with the page's own title,
stylesheet (after ``common.css``, so the page's rules win) and meta, then the page's body."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.monitoring.entrypoints.routes.dashboard import router as monitoring
from services.publicity.entrypoints.routes.dashboard import router as publicity


def served(router, path: str):
    app = FastAPI()
    app.include_router(router)
    return TestClient(app).get(path)


@pytest.mark.parametrize(("router", "path", "title", "style", "referrer"), [
    (monitoring, "/dashboard/officials", "兴村 · 监测预警（干部）", "officials.css", True),
    (publicity, "/dashboard/", "兴村 · 扶持经济薄弱村实时统计", "app.css", False),
])
def test_a_page_is_the_shared_head_then_its_body(router, path, title, style, referrer):
    response = served(router, path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    html = response.text
    assert html.startswith('<!doctype html>\n<html lang="zh-CN">\n<head>\n  <meta charset="utf-8">\n')
    head, body = html.split("</head>\n")
    assert f"<title>{title}</title>" in head and "$" not in head
    assert head.index('href="common.css"') < head.index(f'href="{style}"')
    assert ('<meta name="referrer" content="no-referrer">' in head) is referrer
    assert body.startswith("<body>") and body.rstrip().endswith("</html>")
    assert html.count("<head>") == 1 and html.count("<body>") == 1
    assert f'<h1 data-i18n="title">{title}</h1>' in body
