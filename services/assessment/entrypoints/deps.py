"""What the assessment routes depend on: who may call them (roles, read scopes), the as-of
day, the ids in paths and queries, and ``Run``, the one command runner over ``COMMANDS``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, Path, Query

from shared.http.auth import Principal, Role, require
from shared.http.commands import runner_type
from shared.http.deps import IsoDate, get_pool
from shared.identity import Reach

from services.assessment.adapters.directory import PgDirectory
from services.assessment.domain.values import business_day
from services.assessment.handlers import COMMANDS
from services.assessment.queries.scope import ReadScope

Run = runner_type(COMMANDS)
Pool = Annotated[asyncpg.Pool, Depends(get_pool)]
MAX_OFFSET = 1_000_000_000  # an offset PostgreSQL's bigint takes; beyond the data a page is empty

# Who writes: each write route admits these roles (and the city office).
CityOffice = Annotated[Principal, Depends(require())]
Assessor = Annotated[Principal, Depends(require(Role.assessor))]
Inspector = Annotated[Principal, Depends(require(Role.inspector))]
Team = Annotated[Principal, Depends(require(Role.first_secretary))]
Official = Annotated[Principal, Depends(require(Role.district_official))]
# The village's side: its district's officials or its team (projects, incomes, people, rectifications).
VillageSide = Annotated[Principal, Depends(require(Role.district_official, Role.first_secretary))]

# Everyone but the public: lists name villages, teams and pseudonymous people.
READERS = (Role.district_official, Role.unit, Role.first_secretary, Role.finance_officer, Role.assessor, Role.inspector)
Reader = Annotated[Principal, Depends(require(*READERS))]


def scope_of(*roles: Role):
    """A dependency admitting ``roles`` (and the city office) and giving the reader's scope
    (BRIEF §4): where ``Reach`` says, a unit's or a first secretary's teams resolved to the
    villages they serve now in assessment's directory."""

    admitted = Depends(require(*roles))  # a default, not an annotation: annotations here are strings

    async def scope(pool: Pool, principal: Principal = admitted) -> ReadScope:
        reach = Reach.of(principal)
        if not reach.by_teams:
            return ReadScope(district=reach.district)
        async with pool.acquire() as conn:
            teams = await PgDirectory(conn).teams_of_unit(reach.unit) if reach.unit is not None else [reach.team]
            return ReadScope(villages=tuple(await PgDirectory(conn).villages_served(teams)), teams=tuple(teams))

    return scope


Scoped = Annotated[ReadScope, Depends(scope_of(*READERS))]
# The gap list (pseudonymous people and households) and evidence files: not the finance bureaus' business.
PersonalScoped = Annotated[ReadScope, Depends(scope_of(*(r for r in READERS if r is not Role.finance_officer)))]


def as_of_day(
    as_of: Annotated[IsoDate | None, Query(description="截至日期（北京时间），缺省为今天 / as of this day, default today")] = None,
) -> date:
    return as_of or business_day(datetime.now(UTC))


AsOfDay = Annotated[date, Depends(as_of_day)]

KEY = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$"
ProjectId = Annotated[str, Path(pattern=KEY, description="项目编号 / project id")]
MilestoneId = Annotated[str, Path(pattern=KEY, description="节点编号 / milestone id")]
Key = Annotated[str, Path(pattern=KEY)]
VillageCodePath = Annotated[str, Path(pattern=r"^\d{12}$", description="村代码 / village code")]
District = Annotated[str | None, Query(pattern=r"^\d{6}$", description="区代码 / district code")]
Village = Annotated[str | None, Query(pattern=r"^\d{12}$", description="村代码 / village code")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
