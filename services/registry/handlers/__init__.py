"""The registry's service layer: one async function per command, each taking the unit of work,
the command, the caller's context (their ``Access``, a configured quota or rate) and the ids
from the path — ``handler(uow, cmd, *context, **ids)``. ``COMMANDS`` maps every command type to
its handler, read off the handlers' own signatures so that it cannot drift from them; the
routes run them through ``shared.http.commands``."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from types import ModuleType

from pydantic import BaseModel

from services.registry.handlers import cadres, matching, network, objections, screening, villages
from services.registry.handlers.cadres import (
    cancel_leave,
    compute_allowances,
    decide_leave,
    log_presence,
    record_insurance,
    record_training,
    request_leave,
)
from services.registry.handlers.matching import accept_proposal, propose_matching
from services.registry.handlers.network import (
    assign_village,
    change_members,
    change_unit_attributes,
    dissolve_team,
    enter_village,
    form_team,
    register_cadre,
    register_unit,
    replace_first_secretary,
    rotate_team,
    unassign_village,
)
from services.registry.handlers.objections import (
    answer_objection,
    confirm_designation,
    lodge_objection,
    open_objection_window,
)
from services.registry.handlers.screening import run_screening
from services.registry.handlers.villages import (
    change_village_attributes,
    correct_income,
    graduate_village,
    import_villages,
    register_village,
)


def commands_of(*modules: ModuleType) -> dict[type[BaseModel], Callable]:
    """Command type → handler: every coroutine of ``modules`` whose second parameter is a command."""
    found: dict[type[BaseModel], Callable] = {}
    for module in modules:
        for handler in vars(module).values():
            if not (inspect.iscoroutinefunction(handler) and handler.__module__ == module.__name__):
                continue
            second = list(inspect.signature(handler).parameters)[1:2]
            cmd = typing.get_type_hints(handler).get(second[0]) if second else None
            if inspect.isclass(cmd) and issubclass(cmd, BaseModel):
                if cmd in found:
                    raise TypeError(f"{cmd.__name__} has two handlers: {found[cmd].__name__}, {handler.__name__}")
                found[cmd] = handler
    return found


COMMANDS = commands_of(cadres, matching, network, objections, screening, villages)

__all__ = [
    "COMMANDS", "accept_proposal", "answer_objection", "confirm_designation", "lodge_objection",
    "open_objection_window", "assign_village", "cancel_leave", "change_members", "change_unit_attributes",
    "change_village_attributes", "compute_allowances", "correct_income", "decide_leave", "dissolve_team",
    "enter_village", "form_team", "graduate_village", "import_villages", "log_presence", "propose_matching",
    "record_insurance", "record_training", "register_cadre", "register_unit", "register_village",
    "replace_first_secretary", "request_leave", "rotate_team", "run_screening", "unassign_village",
]
