"""Who may act on a village's or a team's affairs, decided before anything is written."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Reach, Role, ensure_district

from services.assessment.adapters.directory import PgDirectory
from services.assessment.domain.values import business_day


def today(uow: UnitOfWork) -> date:
    """The business day of the command: ``X-Occurred-At`` when given, else now (Beijing)."""
    return business_day(uow.meta.occurred_at or datetime.now(UTC))


async def ensure_village_team(known: PgDirectory, principal: Principal, village_code: str, district: str,
                              *, officials: bool = True) -> None:
    """The village's own team (its first secretary), its district's officials, or the city office."""
    if principal.role is Role.city_office:
        return
    if principal.role is Role.first_secretary:
        if principal.team and principal.team in await known.teams_serving(village_code):
            return
        raise Forbidden(f"只有对接村 {village_code} 的工作队可以办理 / only the team serving {village_code} may do this "
                        f"(token team: {principal.team})", field="village_code")
    if officials and principal.role is Role.district_official:
        ensure_district(principal, district)
        return
    raise Forbidden(f"角色 {principal.role.value} 不能办理此事 / role {principal.role.value} may not do this",
                    field="village_code")


def ensure_scope(principal: Principal, district: str | None) -> None:
    """Assessors and inspectors with a district in their token act only there."""
    if Reach.of(principal).district is not None:
        ensure_district(principal, district)  # type: ignore[arg-type]  # None (not yet placed): refused


def ensure_city_level(principal: Principal, field: str) -> None:
    """What spans every district — a year's computation and its review, marking a district
    (市负总责、区抓落实: the city assesses the districts) — is for city-level staff only."""
    if Reach.of(principal).district is not None:
        raise Forbidden(f"此事涉及全市各区，须由市级人员办理（令牌所辖区：{principal.district}）/ this spans every "
                        f"district: city-level staff only (token district: {principal.district})", field=field)


def ensure_may_mark(principal: Principal, kind: str, districts: set[str | None]) -> None:
    """A team or a lead unit is marked by assessors of the district(s) it works in, or the city's."""
    if kind == "district":
        ensure_city_level(principal, field="subject_id")
    for district in districts:
        ensure_scope(principal, district)
