"""驻村管理 / presence check-ins, living allowances and alerts."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Path, Query

from shared.identity import Reach
from shared.http.deps import IsoDate, Store
from shared.http.weighted import WeightedGate
from shared.dates import today

from services.registry.config import registry_settings
from services.registry.domain.presence import ComputeAllowances, LogPresence
from services.registry.entrypoints import schemas
from services.registry.entrypoints.deps import (
    CityFinance,
    DistrictFilter,
    Finance,
    Readers,
    Run,
    TeamsAndOfficials,
    command_routes,
)
from services.registry.queries import alerts, read
from services.registry.queries.cadres import allowance_view, allowances

router = APIRouter(tags=["驻村管理 presence and allowances"])
writes = command_routes(router, TeamsAndOfficials)


@cache
def presence_work() -> WeightedGate:
    """This process's check-ins in progress (one gate per process, made on first use)."""
    settings = registry_settings()
    return WeightedGate(settings.presence_max_entries_in_flight, settings.presence_wait_seconds)


@cache
def allowance_work() -> WeightedGate:
    """This process's monthly allowance computations in progress, one unit each."""
    settings = registry_settings()
    return WeightedGate(settings.allowances_in_flight, settings.allowances_wait_seconds)


@writes.route(
    "/presence", created=True,
    summary="驻村打卡（四同：吃住学劳）/ presence check-ins for the four togethers",
    description="一次可提交多条（≤2000），全部成功或全部不写；每名干部每天一条；须为已入村的队员、不在假期、不晚于今天 / "
                "up to 2000 check-ins, all or nothing; one per cadre and day; the cadre must be a member of a team "
                "that has entered that village, not on approved leave, and the day not in the future.",
)
async def log_presence(cmd: LogPresence, caller: TeamsAndOfficials, run: Run) -> schemas.PresenceLogged:
    async with presence_work().admit(len(cmd.entries)):
        return await run(cmd, caller)


@writes.route(
    "/allowances",
    summary="计算某月生活补助 / compute a month's living allowances",
    description="按驻村天数 × 日标准（分）计算；重算只记录有变化的干部 / presence days × daily rate; a recomputation "
                "records only the cadres whose amount changed."
)
async def compute_allowances(cmd: ComputeAllowances, _: CityFinance, run: Run) -> schemas.Allowances:
    async with allowance_work().admit(1):
        return allowance_view(await run(cmd, registry_settings().allowance_daily_fen))


@router.get("/allowances/{month}", summary="某月生活补助 / a month's allowances as last computed")
async def get_allowances(
    month: Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="月份 YYYY-MM / month")], store: Store,
    principal: Finance,
) -> schemas.Allowances:
    # A district's finance officer reads the cadres of the teams working in that district.
    district = Reach.of(principal).district
    return await read(store, allowances, month, district, registry_settings().allowance_daily_fen)


@router.get(
    "/alerts",
    summary="预警：长期缺勤的干部、本周无人驻村的村 / alerts: absent cadres, villages without presence this week",
)
async def get_alerts(
    store: Store,
    principal: Readers,
    as_of: Annotated[IsoDate | None, Query(description="截至日期（默认今天）/ as of this day (default today)")] = None,
    absent_days: Annotated[int | None, Query(ge=1, le=365, description="缺勤超过多少天预警（默认配置值）/ threshold, days")] = None,
    district: DistrictFilter = None,
) -> schemas.Alerts:
    threshold = absent_days or registry_settings().absence_alert_days
    return await read(store, alerts.alerts, principal, as_of or today(), threshold, district)
