"""The one command runner every write route uses.

A service's ``handlers/__init__.py`` declares ``COMMANDS``: command type → handler, as in
cosmicpython's message bus. A route only translates HTTP: it validates the body into the
command, takes the caller's scope and any ids from the path, and hands them over::

    Run = Annotated[Runner, Depends(command_runner(COMMANDS))]

    @router.post("/{allocation_id}/adjust")
    async def adjust(allocation_id: AllocationId, cmd: AdjustAllocation, scope: Writer, run: Run) -> AllocationView:
        return await run(cmd, scope, allocation_id=allocation_id, created=False)

The runner looks the handler up by the command's type and calls
``handler(uow, cmd, *context, **ids)`` once per idempotency key: 201 the first time (200
when ``created=False``), 200 with the first result on a replay. The idempotency fingerprint
is the command's name with the ids and the body, so a retry of the same call is recognised
and a different call under a used key is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from fastapi import Depends, Response, status
from pydantic import BaseModel

from shared.eventstore import CommandMeta, EventStore, UnitOfWork
from shared.http.deps import IdempotencyKey, Meta, Store

Handler = Callable[..., Awaitable[Any]]
Commands = Mapping[type[BaseModel], Handler]


class Runner:
    """One request's way to run commands: the store, the caller's metadata, the key and the response."""

    def __init__(self, store: EventStore, commands: Commands, meta: CommandMeta, response: Response,
                 idempotency_key: str | None):
        self.store, self.commands, self.meta = store, commands, meta
        self.response, self.idempotency_key = response, idempotency_key

    async def __call__(self, cmd: BaseModel, *context: Any, created: bool = True, **ids: Any) -> Any:
        try:
            handler = self.commands[type(cmd)]
        except KeyError:  # a wiring mistake, caught by each service's COMMANDS test
            raise LookupError(f"no handler for {type(cmd).__name__}") from None
        body = {**ids, **cmd.model_dump(mode="json")}

        async def handle(uow: UnitOfWork) -> Any:
            return await handler(uow, cmd, *context, **ids)

        done = await self.store.execute(type(cmd).__name__, body, self.meta, handle, self.idempotency_key)
        self.response.status_code = status.HTTP_201_CREATED if created and not done.replayed else status.HTTP_200_OK
        return done.result


def command_runner(commands: Commands) -> Callable[..., Awaitable[Runner]]:
    """The FastAPI dependency that gives a route its ``Runner`` over a service's ``COMMANDS``."""

    async def dependency(store: Store, meta: Meta, response: Response,
                         idempotency_key: IdempotencyKey = None) -> Runner:
        return Runner(store, commands, meta, response, idempotency_key)

    return dependency


def runner_type(commands: Commands) -> Any:
    """``Annotated[Runner, Depends(...)]`` for a service's routes: ``Run = runner_type(COMMANDS)``."""
    return Annotated[Runner, Depends(command_runner(commands))]
