"""村的资金页 / what reaches a village: policies, allocations, payments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.eventstore import NotFound
from shared.eventstore.errors import Forbidden

from services.funding.entrypoints.deps import Conn, Reader
from services.funding.entrypoints.schemas import VillagePage
from services.funding.queries import reads

router = APIRouter(prefix="/villages", tags=["村 villages"])


@router.get("/{code}", summary="村获得的政策、分配与拨付 / the policies, allocations and payments reaching a village")
async def village_page(
    code: Annotated[str, Path(pattern=r"^\d{12}$", description="村代码 / village code")],
    conn: Conn,
    reader: Reader,
) -> VillagePage:
    page = await reads.village_page(conn, code)
    if page is None:
        raise NotFound(f"未找到村 {code} / village {code} not found", field="code")
    if not reader.sees_village(code, page["village"]["district"]):
        raise Forbidden(f"无权查看村 {code} 的资金 / you may not read village {code}'s funding", field="code")
    return page
