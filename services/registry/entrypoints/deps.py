"""Route dependencies: who may call, and the command runner every write route shares.

A write route's caller arrives as the ``Access`` its handler checks the district, unit or team
against, once the aggregate shows them; reads that only need the role take the ``Principal``.
"""

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from shared.eventstore.errors import Forbidden
from shared.http.auth import Principal, Role, admit, caller_of, require
from shared.http.command_routes import CommandRoutes
from shared.http.commands import runner_type
from shared.identity import Reach

from services.registry.handlers import COMMANDS
from services.registry.handlers.access import Access

Run = runner_type(COMMANDS)


def acting(*roles: Role) -> Any:
    """``Annotated[Access, ...]`` for callers of ``roles`` (the city office always)."""
    allowed = require(*roles).allowed

    # The role check inline rather than as ``require``'s dependency below this one, and the
    # caller found without the scheme as a dependency (``caller_of``): each level FastAPI
    # solves costs a command measurable time.
    async def dependency(request: Request) -> Access:
        return Access(admit(await caller_of(request), allowed))

    dependency.documents_caller = True  # type: ignore[attr-defined]
    return Annotated[Access, Depends(dependency)]


Officials = acting(Role.district_official)
CityOffice = acting()
UnitsAndOfficials = acting(Role.district_official, Role.unit)
TeamsAndOfficials = acting(Role.district_official, Role.first_secretary)
CadreKeepers = acting(Role.district_official, Role.unit, Role.first_secretary)
# Everyone in the programme but the public: histories name the officials who acted, teams
# name their cadres. What the public may see, publicity publishes.
Staff = Annotated[Principal, Depends(require(*(set(Role) - {Role.public})))]
# An objection to the designated list is recorded by whoever in the programme receives it.
Objectors = acting(*(set(Role) - {Role.public}))
# Objections name who objected: the city office and district officials read them.
OfficialReaders = Annotated[Principal, Depends(require(Role.city_office, Role.district_official))]
Readers = Annotated[Principal, Depends(require(Role.district_official, Role.unit, Role.first_secretary,
                                               Role.inspector, Role.assessor))]
Finance = Annotated[Principal, Depends(require(Role.finance_officer))]


async def city_finance(principal: Finance) -> Principal:
    """A month's ledger covers every cadre of the city: computed by city-level finance only."""
    if Reach.of(principal).district is not None:
        raise Forbidden(f"生活补助按全市计算，须由市级财政办理（令牌所辖区：{principal.district}）/ allowances are "
                        f"computed city-wide: city-level finance only (token district: {principal.district})",
                        field="Authorization", location="header")
    return principal


CityFinance = Annotated[Principal, Depends(city_finance)]

# The optional district a read is narrowed to (within what the caller may see).
DistrictFilter = Annotated[str | None, Query(description="区代码 / district code")]

WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "无权办理（角色或辖区不符），未作任何更改 / not allowed (role or district); nothing changed"},
    409: {"description": "与现有状态冲突 / conflicts with the current state"},
    422: {"description": "输入或规则不符，字段级说明 / bad input or a broken rule, per field"},
}


def command_route(router: APIRouter, path: str, *, created: bool = False,
                  responses: dict[int | str, dict[str, Any]] | None = None, **kwargs: Any) -> Callable:
    """``router.post`` for a route that runs a command: 201 when it ``created`` something (200 on a
    replay), 200 otherwise; the refusals every command may answer are documented."""
    return router.post(path, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
                       responses={**WRITE_RESPONSES, **(responses or {})}, **kwargs)


def command_routes(router: APIRouter, caller: Any, **ids: Any) -> CommandRoutes:
    """A module's routes that only hand their command to the runner, each posted as ``command_route``
    posts it: its usual caller, and the types of the ids its paths name."""
    return CommandRoutes(partial(command_route, router), Run, caller, **ids)
