"""业务日 / closing business days: the clock of every time-based rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.http.deps import IsoDate

from services.monitoring.domain.calendar import CloseDay, CloseThrough
from services.monitoring.entrypoints.deps import CityOffice, Run
from services.monitoring.entrypoints.facts_read import FactsRead
from services.monitoring.entrypoints.schemas import DayClosedView, DaysClosedView

router = APIRouter(prefix="/days", tags=["业务日 business days"])


@router.post("/close-through", status_code=201,
             summary="依次结束业务日直至某日 / close every business day in order, through a day",
             responses={409: {"description": "已结束 / already closed"}})
async def close_through(cmd: CloseThrough, _: CityOffice, __: FactsRead, run: Run) -> DaysClosedView:
    return DaysClosedView(**await run(cmd))


@router.post("/{day}/close", status_code=201,
             summary="结束业务日（依次，不可重复）/ close a business day (in order, once)",
             responses={409: {"description": "已结束或未按顺序 / already closed, or not the next day"}})
async def close(day: Annotated[IsoDate, Path(description="业务日 / business day, YYYY-MM-DD")], _: CityOffice,
                __: FactsRead, run: Run) -> DayClosedView:
    return DayClosedView(**await run(CloseDay(day=day)))
