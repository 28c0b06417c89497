"""Typed HTTP (issue 21, item 5): every route of the five services declares what it answers, so
the OpenAPI documents describe every 2xx body — a JSON body by a named model, a file or a
stream by its media type with a schema (``shared/http/bodies.py``)."""

from __future__ import annotations

import importlib

import pytest
from fastapi.routing import APIRoute

SERVICES = ("registry", "funding", "assessment", "publicity", "monitoring")


def app_of(service: str):
    return importlib.import_module(f"services.{service}.entrypoints.api").app


def named(schema: dict) -> bool:
    """A reference to a component, a list of them, or a choice among them: not a bare object."""
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return named(schema.get("items", {}))
    choices = schema.get("anyOf") or schema.get("oneOf")
    return bool(choices) and all(named(c) or c.get("type") == "null" for c in choices)


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_declares_a_response_model(service):
    routes = [r for r in app_of(service).routes if isinstance(r, APIRoute) and r.include_in_schema]
    assert routes and [(sorted(r.methods), r.path) for r in routes if r.response_model is None] == []


@pytest.mark.parametrize("service", SERVICES)
def test_every_success_body_has_a_schema_and_json_bodies_a_named_one(service):
    spec = app_of(service).openapi()
    bodies = [(method, path, media, content.get("schema"))
              for path, operations in spec["paths"].items() for method, op in operations.items()
              for code, response in op["responses"].items() if code.startswith("2")
              for media, content in response.get("content", {}).items()]
    assert bodies
    assert [(m, p, media) for m, p, media, schema in bodies if not schema] == []
    assert [(m, p) for m, p, media, schema in bodies if media == "application/json" and not named(schema)] == []
