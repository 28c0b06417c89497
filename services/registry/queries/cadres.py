"""Cadres as the API shows them: a cadre's record (personal data opened here only) and a
month's allowances as last computed."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.money import yuan
from shared.privacy.keys import PgDataKeys

from services.registry.adapters.constraints import PgConstraints
from services.registry.domain.cadres import Cadre
from services.registry.domain.presence import AllowanceLedger
from services.registry.domain.teams import Team
from services.registry.domain.units import Unit
from services.registry.handlers.access import Access


async def cadre_in_reach(uow: UnitOfWork, cadre_id: str, access: Access) -> tuple[Cadre, str | None]:
    """The cadre and their team, once the caller is allowed to act for them."""
    cadre = await uow.load(Cadre, cadre_id)
    cadre.require_exists()
    team_id = (await uow.adapter(PgConstraints).teams_of_cadres([cadre_id])).get(cadre_id)
    district = (await uow.load(Team, team_id)).district if team_id else (await uow.load(Unit, cadre.unit_id)).district
    access.cadre(cadre.unit_id, team_id, district)
    return cadre, team_id


async def cadre_record(uow: UnitOfWork, cadre_id: str, access: Access) -> dict:
    """The cadre's record, personal data opened with their key (or shown as erased)."""
    cadre, team_id = await cadre_in_reach(uow, cadre_id, access)
    show = await uow.adapter(PgDataKeys).opener([cadre.stream_id])
    return {
        "cadre_id": cadre_id, "unit_id": cadre.unit_id, "name": show(cadre.name), "title": show(cadre.title),
        "personal_data_erased": show.erased(cadre.stream_id), "team_id": team_id,
        "trained_on": cadre.trained_on, "trainings": cadre.trainings,
        "insurance": [{"cadre_id": cadre_id, "policy_no": show(i.policy_no), "valid_from": i.valid_from,
                       "valid_to": i.valid_to} for i in cadre.insurance],
        "leaves": [{"leave_id": l.leave_id, "start": l.start, "end": l.end, "days": l.days, "status": l.status,
                    "reason": show(l.reason), "rejection_reason": show(l.rejection_reason)}
                   for l in cadre.leaves.values()],
        "leave_used_days": {year: cadre.used_days(year) for year in sorted({l.start.year for l in cadre.leaves.values()})},
    }


def allowance_view(ledger: dict) -> dict:
    """A month's ledger with its amounts in yuan beside the fen."""
    return ledger | {
        "total_yuan": yuan(ledger["total_fen"]), "daily_rate_yuan": yuan(ledger["daily_rate_fen"]),
        "items": [i | {"amount_yuan": yuan(i["amount_fen"])} for i in ledger["items"]],
    }


def ledger_items(entries) -> list[dict]:
    return [{"cadre_id": e.cadre_id, "team_id": e.team_id, "presence_days": e.presence_days,
             "amount_fen": e.amount_fen} for e in sorted(entries, key=lambda e: e.cadre_id)]


async def allowances(uow: UnitOfWork, month: str, district: str | None, default_rate_fen: int) -> dict:
    """The month as last computed; with ``district``, only the cadres of the teams working there."""
    teams = None if district is None else {r["team_id"] for r in await uow.conn.fetch(
        "select team_id from rg.teams where district = $1", district)}
    ledger = await uow.load(AllowanceLedger, month)
    items = sorted((e for e in ledger.computed.values() if teams is None or e.team_id in teams),
                   key=lambda e: e.cadre_id)
    rate = items[-1].daily_rate_fen if items else default_rate_fen
    return allowance_view({"month": month, "daily_rate_fen": rate or 0, "changed": 0,
                           "total_fen": sum(e.amount_fen for e in items), "items": ledger_items(items)})
