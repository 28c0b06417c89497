"""Who may do what in funding: finance officers move money within their scope (their
district, or the city when their token names none); the city office does everything;
district officials read their district; units and teams read their own villages; the
public sees nothing here (publicity publishes what is public)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, status

from shared.http.auth import Principal, Role, current_principal, require
from shared.http.deps import get_pool

from services.funding.domain.access import FinanceScope
from services.funding.queries.scope import ReadScope


def _finance_scope(principal: Annotated[Principal, Depends(require(Role.finance_officer))]) -> FinanceScope:
    district = None if principal.role is Role.city_office else principal.district
    return FinanceScope(subject=principal.subject, district=district)


Writer = Annotated[FinanceScope, Depends(_finance_scope)]


def _city_office(principal: Annotated[Principal, Depends(require())]) -> FinanceScope:
    return FinanceScope(subject=principal.subject, district=None)


# What only the leading group's office decides (a frozen allocation's way out).
CityOffice = Annotated[FinanceScope, Depends(_city_office)]


def _forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN,
                         detail=[{"loc": ["header", "Authorization"], "msg": message, "type": "forbidden"}])


async def _read_scope(
    principal: Annotated[Principal, Depends(current_principal)],
    pool: Annotated[asyncpg.Pool, Depends(get_pool)],
) -> ReadScope:
    role = principal.role
    if role is Role.city_office or (role is Role.finance_officer and principal.district is None):
        return ReadScope()
    if role in (Role.finance_officer, Role.district_official) and principal.district:
        return ReadScope(district=principal.district)
    if role is Role.unit and principal.unit:
        sql = """select distinct tv.village_code from reach.team_villages tv
                 join reach.team_units tu using (team_id) where tu.unit_id = $1 order by 1"""
        key = principal.unit
    elif role is Role.first_secretary and principal.team:
        sql, key = "select village_code from reach.team_villages where team_id = $1 order by 1", principal.team
    else:
        raise _forbidden(f"无权查看资金信息 / role {role.value} may not read funding data")
    async with pool.acquire() as conn:
        return ReadScope(villages=tuple(r["village_code"] for r in await conn.fetch(sql, key)))


Reader = Annotated[ReadScope, Depends(_read_scope)]


def ensure_lines_visible(scope: ReadScope) -> None:
    """Budget lines are the finance bureaus' and officials' business, not a unit's."""
    if scope.villages is not None:
        raise _forbidden("扶持单位只能查看本单位所帮扶村的资金 / units see only the money reaching their villages")
