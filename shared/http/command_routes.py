"""The write routes that do nothing but hand their command to the runner, registered from one line each.

Most of a service's write routes are the same three lines with other names::

    @router.post("/{allocation_id}/adjust", summary="...")
    async def adjust(allocation_id: AllocationId, cmd: AdjustAllocation, scope: Writer, run: Run) -> AllocationAdjusted:
        return await run(cmd, scope, allocation_id=allocation_id)

``writes = CommandRoutes(router.post, Run, Writer, allocation_id=AllocationId)`` and then
``writes.add("/{allocation_id}/adjust", AdjustAllocation, AllocationAdjusted, name="adjust", summary="...")``
registers exactly that route: FastAPI reads the signature built here as it read the written one,
so the API document is unchanged. The endpoint is named after the command (``adjust_allocation``)
unless ``name`` says otherwise, and that name makes the operation id; the caller is the module's
usual one (``Writer``) unless ``caller`` says otherwise. A route that does more than this (an
upload, extra context for the handler, a caller not passed on) stays written out.
"""

from __future__ import annotations

import inspect
import re
import string
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

Endpoint = Callable[..., Awaitable[Any]]


def command_endpoint(name: str, command: type[BaseModel], caller: Any, run: Any, result: Any,
                     ids: dict[str, Any], *, optional: bool = False) -> Endpoint:
    """``async def <name>(<ids>, cmd: <command>, caller: <caller>, run: <run>) -> <result>`` that
    returns ``await run(cmd, caller, **ids)``; with ``optional`` the body may be left out and the
    command is then ``command()`` (an approval with nothing to add)."""

    async def endpoint(*, cmd: BaseModel | None, caller: Any, run: Any, **path_ids: Any) -> Any:
        return await run(cmd or command(), caller, **path_ids)

    body = command | None if optional else command
    annotations = {**ids, "cmd": body, "caller": caller, "run": run}
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a,
                           default=None if n == "cmd" and optional else inspect.Parameter.empty)
         for n, a in annotations.items()],
        return_annotation=result)
    endpoint.__annotations__ = {**annotations, "return": result}  # for typing.get_type_hints, as a written one
    endpoint.__name__ = endpoint.__qualname__ = name
    return endpoint


class CommandRoutes:
    """One module's such routes: how it posts a route (its router's ``post``, or a service's own
    wrapper of it), its runner, its usual caller and the types of the ids its paths name."""

    def __init__(self, post: Callable[..., Callable[[Endpoint], Any]], run: Any, caller: Any, **ids: Any):
        self.post, self.run, self.caller, self.ids = post, run, caller, ids

    def add(self, path: str, command: type[BaseModel], result: Any, *, name: str | None = None,
            caller: Any = None, optional: bool = False, **route: Any) -> None:
        named = [f for _, f, _, _ in string.Formatter().parse(path) if f]
        endpoint = command_endpoint(name or _snake(command.__name__), command, caller or self.caller, self.run,
                                    result, {n: self.ids[n] for n in named}, optional=optional)
        self.post(path, **route)(endpoint)

    def route(self, path: str, **route: Any) -> Callable[[Endpoint], Any]:
        """The decorator for a write route of the module that is written out, posted the same way."""
        return self.post(path, **route)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
