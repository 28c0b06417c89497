"""Every command a write route runs has its handler in ``COMMANDS``: the runner finds
handlers by the command's type, so a route with a command missing there would answer 500."""

from __future__ import annotations

import inspect
import types
import typing

from fastapi.routing import APIRoute
from pydantic import BaseModel

from services.assessment.entrypoints.routes import ROUTERS
from services.assessment.handlers import COMMANDS

WRITES = [r for router in ROUTERS for r in router.routes
          if isinstance(r, APIRoute) and r.methods & {"POST", "PUT", "DELETE", "PATCH"}]


def commands_of(route: APIRoute) -> set[type]:
    """The command classes a route takes as its body, or builds in its body (the upload route)."""
    found = set()
    hints = typing.get_type_hints(route.endpoint)
    hints.pop("return", None)
    for hint in hints.values():
        args = typing.get_args(hint) if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union \
            else (hint,)
        found |= {a for a in args if isinstance(a, type) and issubclass(a, BaseModel)
                  and a.__module__.startswith("services.assessment.domain")}  # not the caller (Principal)
    source = inspect.getsource(route.endpoint)
    found |= {cls for cls in COMMANDS if f"{cls.__name__}(" in source}
    return found


def test_the_service_has_write_routes():
    assert len(WRITES) >= 20


def test_every_write_route_runs_a_command_that_has_a_handler():
    for route in WRITES:
        commands = commands_of(route)
        assert commands, f"{route.path}: no command"
        assert commands <= set(COMMANDS), f"{route.path}: {commands - set(COMMANDS)} not in COMMANDS"


def test_every_handler_takes_the_unit_of_work_and_the_command_first():
    for cls, handler in COMMANDS.items():
        assert inspect.iscoroutinefunction(handler), handler
        first, second = list(inspect.signature(handler).parameters)[:2]
        assert (first, second) == ("uow", "cmd"), handler
