"""What funding's routes depend on: who may do what, a connection for reads, the command
runner. Finance officers move money within their scope (their district, or the city when
their token names none); the city office does everything; district officials read their
district; units and teams read their own villages; the public sees nothing here
(publicity publishes what is public)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import asyncpg
from fastapi import Depends, HTTPException, Path, Query, status

from shared.http.auth import Principal, Role, current_principal, require
from shared.http.commands import runner_type
from shared.http.deps import get_pool
from shared.identity import Reach

from services.funding.domain.access import FinanceScope
from services.funding.handlers import COMMANDS
from services.funding.queries.scope import ReadScope, villages_of_team, villages_of_unit

Run = runner_type(COMMANDS)


async def _connection(pool: Annotated[asyncpg.Pool, Depends(get_pool)]) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn:
        yield conn


# One pooled connection per read request (shared by the reader's scope and the query).
Conn = Annotated[asyncpg.Connection, Depends(_connection)]


# ``async`` though they never wait: FastAPI runs a plain ``def`` dependency in its thread
# pool, a thread hop on every command.
async def _finance_scope(principal: Annotated[Principal, Depends(require(Role.finance_officer))]) -> FinanceScope:
    return FinanceScope(subject=principal.subject, district=Reach.of(principal).district)


Writer = Annotated[FinanceScope, Depends(_finance_scope)]


async def _city_office(principal: Annotated[Principal, Depends(require())]) -> FinanceScope:
    return FinanceScope(subject=principal.subject, district=None)


# What only the leading group's office decides (a frozen allocation's way out).
CityOffice = Annotated[FinanceScope, Depends(_city_office)]


def _forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN,
                         detail=[{"loc": ["header", "Authorization"], "msg": message, "type": "forbidden"}])


# Who reads funding at all (each where ``Reach`` says): not assessors, inspectors or the public.
READERS = frozenset({Role.city_office, Role.finance_officer, Role.district_official, Role.unit, Role.first_secretary})


async def _read_scope(principal: Annotated[Principal, Depends(current_principal)], conn: Conn) -> ReadScope:
    if principal.role not in READERS:
        raise _forbidden(f"无权查看资金信息 / role {principal.role.value} may not read funding data")
    reach = Reach.of(principal)
    if reach.unit is not None:
        return ReadScope(villages=await villages_of_unit(conn, reach.unit))
    if reach.team is not None:
        return ReadScope(villages=await villages_of_team(conn, reach.team))
    return ReadScope(district=reach.district)


Reader = Annotated[ReadScope, Depends(_read_scope)]


async def _lines_reader(scope: Reader) -> ReadScope:
    """Budget lines are the finance bureaus' and officials' business, not a unit's."""
    if scope.villages is not None:
        raise _forbidden("扶持单位只能查看本单位所帮扶村的资金 / units see only the money reaching their villages")
    return scope


# A reader of lines, policies and reconciliation: not a unit or a team.
LinesReader = Annotated[ReadScope, Depends(_lines_reader)]

LineId = Annotated[str, Path(max_length=80, description="预算线编号 / line id")]
AllocationId = Annotated[str, Path(max_length=80, description="分配编号 / allocation id")]
DisbursementId = Annotated[str, Path(max_length=80, description="拨付申请编号 / disbursement id")]
PolicyId = Annotated[str, Path(max_length=80, description="政策编号 / policy id")]
VillageCode = Annotated[str | None, Query(pattern=r"^\d{12}$", description="村代码 / village code")]
Limit = Annotated[int, Query(ge=1, le=1000, description="每页条数 / page size")]
After = Annotated[str | None, Query(max_length=80, description="上一页最后的编号 / last id of the previous page")]
