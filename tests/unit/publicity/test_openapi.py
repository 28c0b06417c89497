"""The OpenAPI document says what every route returns: a schema for each JSON answer, a media
type for the others (CSV, XML, server-sent events, images, HTML, Prometheus text)."""

from __future__ import annotations

from services.publicity.entrypoints.api import app


def test_every_success_answer_is_described():
    undescribed = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for code, answer in operation["responses"].items():
                if not code.startswith("2"):
                    continue
                content = answer.get("content") or {}
                json = content.get("application/json")
                if not content or (json is not None and not json.get("schema")):
                    undescribed.append(f"{method.upper()} {path} {code}")
    assert undescribed == []


def test_the_files_name_their_media_types():
    paths = app.openapi()["paths"]
    assert "text/csv" in paths["/open-data/statistics.csv"]["get"]["responses"]["200"]["content"]
    assert "application/xml" in paths["/open-data/iati-activities.xml"]["get"]["responses"]["200"]["content"]
    assert "text/event-stream" in paths["/stats/feed"]["get"]["responses"]["200"]["content"]
    assert "text/html" in paths["/dashboard/"]["get"]["responses"]["200"]["content"]
