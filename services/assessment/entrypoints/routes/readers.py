"""Who reads what (BRIEF §4): the scope each reader's token gives. Officials read their own
district, units and first secretaries the villages their teams serve now, a district-scoped
assessor or inspector their district; the city office and city-level staff read everything.
Pseudonymous people and evidence files are not the finance bureaus' business."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.eventstore.errors import Forbidden
from shared.http.auth import Principal, Role, require

from services.assessment.adapters import directory
from services.assessment.entrypoints.routes.common import READERS, Pool
from services.assessment.queries.scope import ReadScope


def _unscoped(message: str) -> Forbidden:
    return Forbidden(message, field="Authorization", location="header")


def scope_of(*roles: Role):
    """A dependency admitting ``roles`` (and the city office) and giving the reader's scope."""

    admitted = Depends(require(*roles))  # a default, not an annotation: annotations here are strings

    async def scope(pool: Pool, principal: Principal = admitted) -> ReadScope:
        role = principal.role
        if role is Role.city_office:
            return ReadScope()
        if role in (Role.unit, Role.first_secretary):
            owner = principal.unit if role is Role.unit else principal.team
            if not owner:
                raise _unscoped("令牌未注明单位或工作队 / the token names no unit or team")
            async with pool.acquire() as conn:
                teams = await directory.teams_of_unit(conn, owner) if role is Role.unit else [owner]
                return ReadScope(villages=tuple(await directory.villages_served(conn, teams)), teams=tuple(teams))
        if principal.district:
            return ReadScope(district=principal.district)
        if role is Role.district_official:
            raise _unscoped("令牌未注明所辖区 / the token names no district")
        return ReadScope()  # city-level assessors, inspectors, finance officers

    return scope


Scoped = Annotated[ReadScope, Depends(scope_of(*READERS))]
# The gap list (pseudonymous people and households) and evidence files.
PersonalScoped = Annotated[ReadScope, Depends(scope_of(*(r for r in READERS if r is not Role.finance_officer)))]
