"""Every command a route runs has its handler in ``COMMANDS``, and every route says what it answers."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi.routing import APIRoute

from services.registry.entrypoints import routes as route_modules

from services.registry.entrypoints.api import app
from services.registry.handlers import COMMANDS


def registry_routes() -> list[APIRoute]:
    modules = [importlib.import_module(f"{route_modules.__name__}.{m.name}")
               for m in pkgutil.iter_modules(route_modules.__path__)]
    return [r for m in modules for r in m.router.routes if isinstance(r, APIRoute)]




def test_every_command_a_route_takes_has_a_handler():
    routes = registry_routes()
    bodies = {p.field_info.annotation for r in routes if "POST" in r.methods for p in r.dependant.body_params}
    missing = {getattr(c, "__name__", str(c)) for c in bodies if c not in COMMANDS}
    assert missing == {"Preview", "UploadFile"}  # a preview writes nothing; an import's command is built from the file
    assert len(COMMANDS) == 30 and len(routes) >= 45


def test_every_route_declares_a_response_schema():
    spec = app.openapi()
    empty = [f"{method} {path}" for path, ops in spec["paths"].items() if path != "/metrics"
             for method, op in ops.items() for code, answer in op["responses"].items()
             if code.startswith("2") and not answer.get("content", {}).get("application/json", {}).get("schema")]
    assert empty == []
