"""The write routes that do nothing but hand their command to the runner, registered from one line each.

Most of a service's write routes are the same three lines with other names::

    @router.post("/{allocation_id}/adjust", summary="...")
    async def adjust(allocation_id: AllocationId, cmd: AdjustAllocation, scope: Writer, run: Run) -> AllocationAdjusted:
        return await run(cmd, scope, allocation_id=allocation_id)

``CommandRoutes(router, Run, allocation_id=AllocationId).add("/{allocation_id}/adjust", "adjust",
AdjustAllocation, Writer, AllocationAdjusted, summary="...")`` registers exactly that route: FastAPI
reads the signature built here as it read the written one, so the API document is unchanged (the
name makes the operation id). A route that does more than this (an upload, extra context for the
handler, a caller not passed on) stays written out.
"""

from __future__ import annotations

import inspect
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
    """One module's such routes: its router (or a service's own way to post a command route), its
    runner and the types of the ids its paths name."""

    def __init__(self, post: Callable[..., Callable[[Endpoint], Any]], run: Any, **ids: Any):
        self.post, self.run, self.ids = post, run, ids

    def add(self, path: str, name: str, command: type[BaseModel], caller: Any, result: Any, *,
            optional: bool = False, **route: Any) -> None:
        named = [f for _, f, _, _ in string.Formatter().parse(path) if f]
        endpoint = command_endpoint(name, command, caller, self.run, result, {n: self.ids[n] for n in named},
                                    optional=optional)
        self.post(path, **route)(endpoint)
