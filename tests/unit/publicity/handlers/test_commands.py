"""Every command a route sends has a handler in ``COMMANDS``, and every handler is reached by a route."""

from __future__ import annotations

import ast
import inspect

from pydantic import BaseModel

from services.publicity.domain import commands
from services.publicity.entrypoints.api import app
from services.publicity.entrypoints.routes import images, notices, reports
from services.publicity.handlers import COMMANDS

# The command classes of the domain (``_Command`` subclasses, not its value types).
DOMAIN = {c for _, c in inspect.getmembers(commands, inspect.isclass)
          if issubclass(c, commands._Command) and c is not commands._Command}  # noqa: SLF001


def _sent_by_routes() -> set[type[BaseModel]]:
    """Commands a route takes as its body, or builds and hands to ``run``."""
    sent = set()
    for ops in app.openapi()["paths"].values():
        for op in ops.values():
            for media in op.get("requestBody", {}).get("content", {}).values():
                name = media["schema"].get("$ref", "").rsplit("/", 1)[-1]
                if hasattr(commands, name):
                    sent.add(getattr(commands, name))
    for module in (notices, reports, images):
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "run" and node.args:
                built = node.args[0]
                name = getattr(getattr(built, "func", None), "id", None) or getattr(
                    getattr(getattr(built, "func", None), "value", None), "id", None)
                if name and hasattr(commands, name):
                    sent.add(getattr(commands, name))
    return sent


def test_every_domain_command_has_a_handler():
    assert DOMAIN - set(COMMANDS) == set()


def test_every_command_a_route_sends_has_a_handler():
    sent = _sent_by_routes()
    assert {commands.SubmitReport, commands.UploadImage, commands.ReviseReport} <= sent
    assert sent - set(COMMANDS) - {commands.DraftReport} == set()  # PUT takes a DraftReport body, sends ReviseReport
    assert set(COMMANDS) <= sent
