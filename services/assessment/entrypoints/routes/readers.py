"""Who reads what (BRIEF §4): the scope each reader's token gives. Officials read their own
district, units and first secretaries the villages their teams serve now, a district-scoped
assessor or inspector their district; the city office and city-level staff read everything.
Pseudonymous people and evidence files are not the finance bureaus' business."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status

from shared.http.auth import Principal, Role, require

from services.assessment.adapters import directory
from services.assessment.entrypoints.routes.common import Pool, Reader
from services.assessment.queries.scope import ReadScope


def _forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN,
                         detail=[{"loc": ["header", "Authorization"], "msg": message, "type": "forbidden"}])


async def _scope(principal: Principal, pool) -> ReadScope:
    role = principal.role
    if role is Role.city_office:
        return ReadScope()
    if role in (Role.unit, Role.first_secretary):
        owner = principal.unit if role is Role.unit else principal.team
        if not owner:
            raise _forbidden("令牌未注明单位或工作队 / the token names no unit or team")
        async with pool.acquire() as conn:
            teams = await directory.teams_of_unit(conn, owner) if role is Role.unit else [owner]
            return ReadScope(villages=tuple(await directory.villages_served(conn, teams)), teams=tuple(teams))
    if principal.district:
        return ReadScope(district=principal.district)
    if role is Role.district_official:
        raise _forbidden("令牌未注明所辖区 / the token names no district")
    return ReadScope()  # city-level assessors, inspectors, finance officers


async def read_scope(principal: Reader, pool: Pool) -> ReadScope:
    return await _scope(principal, pool)


async def personal_scope(
    principal: Annotated[Principal, Depends(require(
        Role.district_official, Role.unit, Role.first_secretary, Role.assessor, Role.inspector))],
    pool: Pool,
) -> ReadScope:
    return await _scope(principal, pool)


Scoped = Annotated[ReadScope, Depends(read_scope)]
# The gap list (pseudonymous people and households) and evidence files.
PersonalScoped = Annotated[ReadScope, Depends(personal_scope)]
