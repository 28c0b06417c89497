"""扶持单位 / supporting units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from shared.eventstore import NotFound
from shared.http.deps import IdempotencyKey, Meta, Store

from services.registry import handlers
from services.registry.domain.units import ChangeUnitAttributes, RegisterUnit, Unit
from services.registry.entrypoints.access import WRITE_RESPONSES, Officials, Staff, access, execute

router = APIRouter(prefix="/units", tags=["扶持单位 units"])
UnitId = Annotated[str, Path(max_length=64, description="单位标识 / unit id")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="登记扶持单位 / register a supporting unit",
    description="市级单位由市领导小组办公室登记，区级单位由本区登记 / city-level units by the city office, "
                "district-level units by their district.",
    responses=WRITE_RESPONSES,
)
async def register_unit(
    cmd: RegisterUnit, store: Store, meta: Meta, principal: Officials, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "RegisterUnit", cmd.model_dump(mode="json"), meta,
                         lambda uow: handlers.register_unit(uow, cmd, access(principal)), idempotency_key, response)


@router.post(
    "/{unit_id}/attributes",
    summary="调整单位职能优势 / edit a unit's functional strengths",
    description="须说明理由；因需对接此后按新的职能优势计算。 / With a reason; matching uses the new strengths from then on.",
    responses=WRITE_RESPONSES,
)
async def change_unit_attributes(
    unit_id: UnitId, cmd: ChangeUnitAttributes, store: Store, meta: Meta, principal: Officials, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "ChangeUnitAttributes", {"unit_id": unit_id, **cmd.model_dump(mode="json")}, meta,
                         lambda uow: handlers.change_unit_attributes(uow, unit_id, cmd, access(principal)),
                         idempotency_key, response)


@router.get("/{unit_id}", summary="扶持单位 / a unit")
async def get_unit(unit_id: UnitId, store: Store, _: Staff) -> dict:
    async with store.pool.acquire() as conn:
        events = await store.read_stream(conn, f"unit-{unit_id}")
        teams = [r["team_id"] for r in await conn.fetch(
            "select team_id from registry.unit_team where unit_id = $1 order by slot", unit_id)]
    unit = Unit.rehydrate(unit_id, (e.decode() for e in events))
    if not unit.exists:
        raise NotFound(f"未找到单位 {unit_id} / unit {unit_id} not found", field="unit_id")
    return {"unit_id": unit_id, "name": unit.name, "level": unit.level, "district": unit.district,
            "strengths": unit.strengths, "team_ids": teams}
