"""收入报告 / villages' and the city's income reports."""

from __future__ import annotations

from decimal import Decimal

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import NotFound
from shared.identity import Principal
from shared.money import yuan


from services.assessment.domain.incomes import (
    CityIncome,
    ReportCityIncome,
    ReportVillageIncome,
    ReviewIncomeReport,
    VillageIncome,
)
from services.assessment.handlers.access import ensure_scope, ensure_village_team, today
from services.assessment.handlers.ports import directory


async def report_village_income(uow: UnitOfWork, cmd: ReportVillageIncome, principal: Principal,
                                factor: Decimal) -> dict:
    district = await directory(uow).village_district(cmd.village_code)
    await ensure_village_team(directory(uow), principal, cmd.village_code, district)
    incomes = await uow.load(VillageIncome, cmd.village_code)
    changed = incomes.report(cmd, district, factor, await directory(uow).baseline_fen(cmd.village_code),
                             today(uow), reporter=principal.actor)
    await uow.save(incomes)
    flags = [e.flag_reason for e in changed if e.flagged]
    collective = incomes.collective.get(cmd.year)
    farmer = incomes.farmer.get(cmd.year)
    return {"village_code": cmd.village_code, "year": cmd.year, "changed": [e.event_type for e in changed],
            "collective_income": yuan(collective) if collective is not None else None,
            "farmer_per_capita_income": yuan(farmer) if farmer is not None else None,
            "flagged": bool(flags), "flag_reasons": flags, "stream_version": incomes.version}


async def report_city_income(uow: UnitOfWork, cmd: ReportCityIncome) -> dict:
    city = await uow.load(CityIncome, "income")
    event = city.report(cmd, today(uow))
    await uow.save(city)
    fen, growth = city.years[cmd.year]
    return {"year": cmd.year, "per_capita_income": yuan(fen), "growth_pct": str(growth), "changed": event is not None,
            "stream_version": city.version}


async def review_village_income(uow: UnitOfWork, cmd: ReviewIncomeReport, principal: Principal, *,
                                village_code: str, year: int) -> dict:
    incomes = await uow.load(VillageIncome, village_code)
    if not incomes.exists:
        raise NotFound(f"村 {village_code} 没有收入报告 / village {village_code} has no income report",
                       field="village_code", location="path")
    ensure_scope(principal, incomes.district)
    event = incomes.review_report(year, cmd, principal.actor, today(uow))
    await uow.save(incomes)
    return {"village_code": village_code, "year": year, "measure": cmd.measure, "amount": yuan(event.amount_fen),
            "accepted": event.accepted, "reason": event.reason, "reviewed_on": event.reviewed_on.isoformat(),
            "stream_version": incomes.version}
