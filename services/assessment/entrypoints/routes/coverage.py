"""低收入群体保障 / low-income protection: people, eligibility, cover and the gap list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.contracts.assessment import Cover
from shared.http.command_routes import CommandRoutes

from services.assessment.domain.coverage import EndCoverage, RecordCoverage, RecordEligibility, RegisterPerson
from services.assessment.entrypoints.deps import AsOfDay, District, PersonalScoped, Pool, Run, Village, VillageSide
from services.assessment.entrypoints.schemas import GapList, PersonCoverageView
from services.assessment.queries import coverage as queries

router = APIRouter(prefix="/low-income", tags=["低收入保障 low-income protection"])
PersonId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}$", description="化名编号 / pseudonymous id")]
writes = CommandRoutes(router.post, Run, VillageSide, person_id=PersonId, cover=Cover)


writes.add("/persons", RegisterPerson, PersonCoverageView, name="register", status_code=201,
           summary="登记低收入人口（化名编号）/ register a person (pseudonymous id)")


writes.add("/persons/{person_id}/eligibility", RecordEligibility, PersonCoverageView, name="eligibility",
           summary="认定保障资格 / record eligibility for a cover")


writes.add("/persons/{person_id}/coverage", RecordCoverage, PersonCoverageView, name="cover", status_code=201,
           summary="落实保障 / record a cover")


writes.add("/persons/{person_id}/coverage/{cover}/end", EndCoverage, PersonCoverageView, name="end",
           summary="保障终止 / a cover ended")


@router.get("/gaps", summary="应保未保名单（按村）/ the gap list, by village: eligible but not covered")
async def gaps(pool: Pool, scope: PersonalScoped, as_of: AsOfDay, district: District = None,
               village_code: Village = None) -> GapList:
    async with pool.acquire() as conn:
        return await queries.gaps(conn, as_of, district, village_code, scope)
