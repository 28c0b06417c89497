"""扶持网络检查 / where the support network falls short of the programme's rules."""

from __future__ import annotations

from fastapi import APIRouter

from shared.http.deps import Store

from services.registry.entrypoints import schemas
from services.registry.entrypoints.deps import DistrictFilter, Readers
from services.registry.queries import network, read, scoped

router = APIRouter(prefix="/network", tags=["驻村工作队 work teams"])


@router.get(
    "/gaps",
    summary="扶持网络缺口 / gaps in the support network",
    description="未参与工作队的单位、无工作队的经济薄弱村、无村的工作队、第一书记未完成集中培训的工作队 / units in no "
                "team, weak villages without a team, teams without a village, teams whose first secretary is untrained.",
)
async def gaps(
    store: Store, principal: Readers,
    district: DistrictFilter = None,
) -> schemas.NetworkGaps:
    return await read(store, scoped(network.gaps, principal), district)
