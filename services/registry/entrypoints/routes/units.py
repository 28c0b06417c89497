"""扶持单位 / supporting units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.http.deps import Store

from services.registry.domain.units import ChangeUnitAttributes, RegisterUnit
from services.registry.entrypoints import schemas
from services.registry.entrypoints.deps import Officials, Staff, command_routes
from services.registry.queries import network, read

router = APIRouter(prefix="/units", tags=["扶持单位 units"])
UnitId = Annotated[str, Path(max_length=64, description="单位标识 / unit id")]
writes = command_routes(router, Officials, unit_id=UnitId)


writes.add("", RegisterUnit, schemas.UnitRegistered, created=True,
           summary="登记扶持单位 / register a supporting unit",
           description="市级单位由市领导小组办公室登记，区级单位由本区登记 / city-level units by the city office, "
                       "district-level units by their district.")


writes.add("/{unit_id}/attributes", ChangeUnitAttributes, schemas.UnitStrengths,
           summary="调整单位职能优势 / edit a unit's functional strengths",
           description="须说明理由；因需对接此后按新的职能优势计算。 / With a reason; matching uses the new strengths from then on.")


@router.get("/{unit_id}", summary="扶持单位 / a unit")
async def get_unit(unit_id: UnitId, store: Store, _: Staff) -> schemas.UnitView:
    return await read(store, network.unit, unit_id)
