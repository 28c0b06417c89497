"""The one command runner every write route uses.

A service's ``handlers/__init__.py`` declares ``COMMANDS``: command type → handler, as in
cosmicpython's message bus. A route only translates HTTP: it validates the body into the
command, takes the caller's scope and any ids from the path, and hands them over::

    Run = Annotated[Runner, Depends(command_runner(COMMANDS))]

    @router.post("/{allocation_id}/adjust")
    async def adjust(allocation_id: AllocationId, cmd: AdjustAllocation, scope: Writer, run: Run) -> AllocationView:
        return await run(cmd, scope, allocation_id=allocation_id)

The runner looks the handler up by the command's type and calls
``handler(uow, cmd, *context, **ids)`` once per idempotency key: the route's own status the
first time (``status_code=201`` where it creates something, as its API document says), 200
with the first result on a replay. The idempotency fingerprint
is the command's name with the ids and the body, so a retry of the same call is recognised
and a different call under a used key is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request, Response, status
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant, request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel

from shared.eventstore import CommandMeta, EventStore, UnitOfWork
from shared.http.auth import Principal, caller_of, current_principal
from shared.http.deps import BackdateReason, CausationId, CorrelationId, IdempotencyKey, OccurredAt, meta_of

Handler = Callable[..., Awaitable[Any]]
Commands = Mapping[type[BaseModel], Handler]


class Runner:
    """One request's way to run commands: the store, the caller's metadata, the key and the response."""

    def __init__(self, store: EventStore, commands: Commands, meta: CommandMeta, response: Response,
                 idempotency_key: str | None):
        self.store, self.commands, self.meta = store, commands, meta
        self.response, self.idempotency_key = response, idempotency_key

    async def __call__(self, cmd: BaseModel, *context: Any, **ids: Any) -> Any:
        try:
            handler = self.commands[type(cmd)]
        except KeyError:  # a wiring mistake, caught by each service's COMMANDS test
            raise LookupError(f"no handler for {type(cmd).__name__}") from None
        # The body is only the idempotency fingerprint's: not serialised when there is no key.
        body = {**ids, **cmd.model_dump(mode="json")} if self.idempotency_key else None

        async def handle(uow: UnitOfWork) -> Any:
            return await handler(uow, cmd, *context, **ids)

        done = await self.store.execute(type(cmd).__name__, body, self.meta, handle, self.idempotency_key)
        if done.replayed:  # the first answer's status is the route's, stated once where it is declared
            self.response.status_code = status.HTTP_200_OK
        return done.result


async def _command_headers(
    idempotency_key: IdempotencyKey = None,
    x_correlation_id: CorrelationId = None, x_causation_id: CausationId = None,
    x_occurred_at: OccurredAt = None, x_backdate_reason: BackdateReason = None,
) -> None:
    """The headers a command takes, in the order the API documents have always listed them."""


# FastAPI's own fields for them: the runner validates with these, and the API documents
# show them, exactly as when they were the runner's parameters.
_HEADER_FIELDS = get_dependant(path="", call=_command_headers).header_params
_HEADER_NAMES = frozenset(f.alias.lower().encode() for f in _HEADER_FIELDS)
_NO_HEADERS = {f.name: None for f in _HEADER_FIELDS}


async def _documented_caller(principal: Annotated[Principal, Depends(current_principal)]) -> None:
    """The bearer scheme below the runner, as the API documents have always shown it."""


_CALLER = get_dependant(path="", call=_documented_caller).dependencies


def _headers(request: Request) -> dict[str, Any]:
    # Most commands send none of them; FastAPI's validating five absent headers per request
    # (its per-field look-ups of the annotation) was a third of its dependency solving.
    if not any(name in _HEADER_NAMES for name, _ in request.scope["headers"]):
        return _NO_HEADERS
    values, errors = request_params_to_args(_HEADER_FIELDS, request.headers)
    if errors:
        raise RequestValidationError(errors)
    return values


def command_runner(commands: Commands) -> Callable[..., Awaitable[Runner]]:
    """The FastAPI dependency that gives a route its ``Runner`` over a service's ``COMMANDS``.

    One dependency with none below it, reading the command's headers itself, rather than
    the store, ``Meta`` and the headers as FastAPI parameters: FastAPI's solving of each
    dependency (again for a cached one's sub-dependencies) and of each declared header was
    most of a command's framework time. The caller is the one the route's caller dependency
    found (``caller_of``), not the bearer scheme solved once more (≈ 7 µs a command).
    ``document_command_headers`` puts the headers and the scheme back into the API
    documents, unchanged.
    """

    async def dependency(request: Request, response: Response) -> Runner:
        principal = await caller_of(request)
        h = _headers(request)
        meta = meta_of(principal, h["x_correlation_id"], h["x_causation_id"], h["x_occurred_at"],
                       h["x_backdate_reason"])
        return Runner(request.app.state.store, commands, meta, response, h["idempotency_key"])

    dependency.documents_headers = True  # type: ignore[attr-defined]
    dependency.documents_caller = True  # type: ignore[attr-defined]
    return dependency


def _runner_dependants(routes: Iterable[Any], mark: str = "documents_headers") -> Iterator[Dependant]:
    """The runner's place in each route (or that of any dependency with ``mark`` set), as the
    document generator sees it: an included router's routes through FastAPI's own view of
    them (each with its own ``Dependant``)."""
    for route in routes:
        if isinstance(route, APIRoute) or hasattr(route, "effective_route_contexts"):
            tops = ([route.dependant] if isinstance(route, APIRoute) else
                    [c.dependant for c in route.effective_route_contexts() if getattr(c, "dependant", None)])
            stack = list(tops)
            while stack:
                dependant = stack.pop()
                if getattr(dependant.call, mark, False):
                    yield dependant
                stack.extend(dependant.dependencies)


@contextmanager
def document_command_headers(routes: Iterable[Any]) -> Iterator[None]:
    """While the API document is generated, the runner declares its headers as FastAPI
    parameters, and it and every ``documents_caller`` dependency depend on the bearer scheme,
    as they once did: the document lists them as before. Generation runs on the event loop without yielding, so no request sees the
    runner so."""
    found = list({id(d): d for d in _runner_dependants(routes)}.values())
    callers = list({id(d): d for d in _runner_dependants(routes, "documents_caller")}.values())
    for dependant in found:
        dependant.header_params = [*dependant.header_params, *_HEADER_FIELDS]
    for dependant in callers:
        dependant.dependencies = [*dependant.dependencies, *_CALLER]
    try:
        yield
    finally:
        for dependant in found:
            dependant.header_params = dependant.header_params[:-len(_HEADER_FIELDS)]
        for dependant in callers:
            dependant.dependencies = dependant.dependencies[:-len(_CALLER)]


def runner_type(commands: Commands) -> Any:
    """``Annotated[Runner, Depends(...)]`` for a service's routes: ``Run = runner_type(COMMANDS)``."""
    return Annotated[Runner, Depends(command_runner(commands))]
