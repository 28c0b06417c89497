"""Every funding route documents what it answers: no 2xx response without a schema."""

from __future__ import annotations

from services.funding.entrypoints.api import app


def test_every_success_response_has_a_schema():
    spec = app.openapi()
    empty = [(method, path, code, media)
             for path, operations in spec["paths"].items() for method, op in operations.items()
             for code, response in op["responses"].items() if code.startswith("2")
             for media, content in response.get("content", {"": {}}).items() if not content.get("schema")]
    assert empty == []
    assert len(spec["paths"]) == 22


def test_reconciliation_declares_its_files():
    content = app.openapi()["paths"]["/reconciliation"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= content.keys()
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Reconciliation"}
