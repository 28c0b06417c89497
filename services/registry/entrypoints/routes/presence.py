"""驻村管理 / presence check-ins, living allowances and alerts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Response, status

from shared.eventstore.errors import Forbidden
from shared.http.auth import Principal, Role, ensure_district, require
from shared.http.deps import IdempotencyKey, IsoDate, Meta, Store, get_pool

from services.registry import handlers
from services.registry.adapters import alerts
from services.registry.config import registry_settings
from shared.money import yuan
from services.registry.domain.presence import AllowanceLedger, ComputeAllowances, LogPresence
from services.registry.entrypoints.access import (
    WRITE_RESPONSES,
    Readers,
    TeamsAndOfficials,
    access,
    execute,
    read,
)

router = APIRouter(tags=["驻村管理 presence and allowances"])
FinanceAndCity = Annotated[Principal, Depends(require(Role.finance_officer))]


def _city_level(principal: Principal) -> None:
    """A month's ledger covers every cadre of the city: computed by city-level finance only."""
    if principal.role is not Role.city_office and principal.district is not None:
        raise Forbidden(f"生活补助按全市计算，须由市级财政办理（令牌所辖区：{principal.district}）/ allowances are "
                        f"computed city-wide: city-level finance only (token district: {principal.district})",
                        field="Authorization", location="header")


async def _teams_in_district(pool: asyncpg.Pool, district: str) -> set[str]:
    async with pool.acquire() as conn:
        return {r["team_id"] for r in await conn.fetch("select team_id from rg.teams where district = $1", district)}


async def _alert_scope(pool: asyncpg.Pool, principal: Principal, district: str | None) -> tuple[str | None, list[str] | None]:
    """The district and teams a reader's alerts cover: officials and district-level assessors or
    inspectors their district, a unit its teams, a first secretary their team; the city office
    and city-level assessors or inspectors any district they ask for."""
    role = principal.role
    if role is Role.unit:
        async with pool.acquire() as conn:
            teams = [r["team_id"] for r in await conn.fetch(
                "select team_id from registry.unit_team where unit_id = $1", principal.unit)]
        return district, teams
    if role is Role.first_secretary:
        return district, [principal.team]  # type: ignore[list-item]  # required by current_principal
    if role is not Role.city_office and principal.district is not None:
        district = district or principal.district
        ensure_district(principal, district)
    return district, None


@router.post(
    "/presence",
    status_code=status.HTTP_201_CREATED,
    summary="驻村打卡（四同：吃住学劳）/ presence check-ins for the four togethers",
    description="一次可提交多条（≤2000），全部成功或全部不写；每名干部每天一条；须为已入村的队员、不在假期、不晚于今天 / "
                "up to 2000 check-ins, all or nothing; one per cadre and day; the cadre must be a member of a team "
                "that has entered that village, not on approved leave, and the day not in the future.",
    responses=WRITE_RESPONSES,
)
async def log_presence(
    cmd: LogPresence, store: Store, meta: Meta, principal: TeamsAndOfficials, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    return await execute(store, "LogPresence", cmd.model_dump(mode="json"), meta,
                         lambda uow: handlers.log_presence(uow, cmd, access(principal)), idempotency_key, response)


def _allowance_view(result: dict) -> dict:
    return result | {
        "total_yuan": yuan(result["total_fen"]), "daily_rate_yuan": yuan(result["daily_rate_fen"]),
        "items": [i | {"amount_yuan": yuan(i["amount_fen"])} for i in result["items"]],
    }


@router.post(
    "/allowances",
    summary="计算某月生活补助 / compute a month's living allowances",
    description="按驻村天数 × 日标准（分）计算；重算只记录有变化的干部 / presence days × daily rate; a recomputation "
                "records only the cadres whose amount changed.",
    responses=WRITE_RESPONSES,
)
async def compute_allowances(
    cmd: ComputeAllowances, store: Store, meta: Meta, principal: FinanceAndCity, response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    _city_level(principal)
    rate = registry_settings().allowance_daily_fen
    return _allowance_view(await execute(store, "ComputeAllowances", cmd.model_dump(mode="json"), meta,
                                         lambda uow: handlers.compute_allowances(uow, cmd, rate),
                                         idempotency_key, response))


@router.get("/allowances/{month}", summary="某月生活补助 / a month's allowances as last computed")
async def get_allowances(
    month: Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="月份 YYYY-MM / month")], store: Store,
    principal: FinanceAndCity,
) -> dict:
    # A district's finance officer reads the cadres of the teams working in that district.
    teams = (await _teams_in_district(store.pool, principal.district)
             if principal.role is not Role.city_office and principal.district is not None else None)

    async def query(uow) -> dict:
        ledger = await uow.load(AllowanceLedger, month)
        items = sorted((e for e in ledger.computed.values() if teams is None or e.team_id in teams),
                       key=lambda e: e.cadre_id)
        rate = items[-1].daily_rate_fen if items else registry_settings().allowance_daily_fen
        return {"month": month, "daily_rate_fen": rate or 0, "changed": 0,
                "total_fen": sum(e.amount_fen for e in items),
                "items": [{"cadre_id": e.cadre_id, "team_id": e.team_id, "presence_days": e.presence_days,
                           "amount_fen": e.amount_fen} for e in items]}

    return _allowance_view(await read(store, query))


@router.get(
    "/alerts",
    summary="预警：长期缺勤的干部、本周无人驻村的村 / alerts: absent cadres, villages without presence this week",
)
async def get_alerts(
    pool: Annotated[asyncpg.Pool, Depends(get_pool)],
    principal: Readers,
    as_of: Annotated[IsoDate | None, Query(description="截至日期（默认今天）/ as of this day (default today)")] = None,
    absent_days: Annotated[int | None, Query(ge=1, le=365, description="缺勤超过多少天预警（默认配置值）/ threshold, days")] = None,
    district: Annotated[str | None, Query(description="区代码 / district code")] = None,
) -> dict:
    district, teams = await _alert_scope(pool, principal, district)
    as_of = as_of or date.today()
    threshold = absent_days or registry_settings().absence_alert_days
    async with pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
        absent = await alerts.absent_cadres(conn, as_of, threshold, district, teams)
        monday, sunday, silent = await alerts.silent_villages(conn, as_of, district, teams)
    return {"as_of": as_of, "absent_days_threshold": threshold, "absent_cadres": absent,
            "week": {"from": monday, "to": sunday}, "villages_without_presence": silent}
