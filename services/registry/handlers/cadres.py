"""Cadre management: training, insurance, leave, presence and the monthly allowance."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import DomainError
from shared.privacy import keys

from services.registry.adapters import constraints, eventlog
from services.registry.domain.cadres import (
    CancelLeave,
    Cadre,
    DecideLeave,
    RecordInsurance,
    RecordTraining,
    RequestLeave,
)
from services.registry.domain.presence import AllowanceLedger, ComputeAllowances, LogPresence, PresenceMonth, month_of
from services.registry.domain.teams import Team
from services.registry.domain.units import Unit
from services.registry.handlers.access import Access
from services.registry.handlers.network import business_day


async def _cadre(uow: UnitOfWork, cadre_id: str, access: Access) -> tuple[Cadre, str | None]:
    """The cadre and their team, once the caller is allowed to act for them."""
    cadre = await uow.load(Cadre, cadre_id)
    cadre.require_exists()
    team_id = (await constraints.teams_of_cadres(uow.conn, [cadre_id])).get(cadre_id)
    district = (await uow.load(Team, team_id)).district if team_id else (await uow.load(Unit, cadre.unit_id)).district
    access.cadre(cadre.unit_id, team_id, district)
    return cadre, team_id


async def cadre_record(uow: UnitOfWork, cadre_id: str, access: Access) -> dict:
    """The cadre's record, personal data opened with their key (or shown as erased)."""
    cadre, team_id = await _cadre(uow, cadre_id, access)
    show = await keys.opener(uow.conn, [cadre.stream_id])
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


async def record_training(uow: UnitOfWork, cadre_id: str, cmd: RecordTraining, access: Access) -> dict:
    cadre, _ = await _cadre(uow, cadre_id, access)
    cadre.train(cmd)
    await uow.save(cadre)
    return {"cadre_id": cadre_id, "trained_on": cadre.trained_on.isoformat() if cadre.trained_on else None}


async def record_insurance(uow: UnitOfWork, cadre_id: str, cmd: RecordInsurance, access: Access) -> dict:
    cadre, _ = await _cadre(uow, cadre_id, access)
    cadre.insure(cmd, await keys.sealer(uow.conn, cadre.stream_id, field="policy_no"))
    await uow.save(cadre)
    # Not the policy number: a command's result is kept (for replays) beyond any erasure.
    return {"cadre_id": cadre_id, "valid_from": cmd.valid_from.isoformat(), "valid_to": cmd.valid_to.isoformat()}


async def request_leave(uow: UnitOfWork, cadre_id: str, cmd: RequestLeave, access: Access, quota: int) -> dict:
    cadre, team_id = await _cadre(uow, cadre_id, access)
    cadre.request_leave(cmd, team_id, quota, await keys.sealer(uow.conn, cadre.stream_id, field="reason"))
    await uow.save(cadre)
    return {"cadre_id": cadre_id, "leave_id": cmd.leave_id, "status": "requested",
            "days": (cmd.end - cmd.start).days + 1}


async def decide_leave(uow: UnitOfWork, cadre_id: str, leave_id: str, cmd: DecideLeave, access: Access, quota: int) -> dict:
    cadre, team_id = await _cadre(uow, cadre_id, access)  # the route admits officials only
    seal = None if cmd.approve else await keys.sealer(uow.conn, cadre.stream_id, field="reason")
    cadre.decide_leave(leave_id, cmd, team_id, quota, seal)
    await uow.save(cadre)
    leave = cadre.leaves[leave_id]
    return {"cadre_id": cadre_id, "leave_id": leave_id, "status": leave.status, "days": leave.days,
            "used_days": cadre.used_days(leave.start.year), "quota_days": quota}


async def cancel_leave(uow: UnitOfWork, cadre_id: str, leave_id: str, cmd: CancelLeave, access: Access) -> dict:
    cadre, team_id = await _cadre(uow, cadre_id, access)
    cadre.cancel_leave(leave_id, cmd, team_id, business_day(uow),
                       await keys.sealer(uow.conn, cadre.stream_id, field="reason"))
    await uow.save(cadre)
    leave = cadre.leaves[leave_id]
    return {"cadre_id": cadre_id, "leave_id": leave_id, "status": leave.status, "days": leave.days,
            "used_days": cadre.used_days(leave.start.year)}


async def log_presence(uow: UnitOfWork, cmd: LogPresence, access: Access) -> dict:
    """Each check-in: a member of a team that has entered that village, not on leave, not in the future."""
    today = business_day(uow)
    cadre_ids = sorted({e.cadre_id for e in cmd.entries})
    cadres = await uow.load_many(Cadre, cadre_ids)
    memberships = await constraints.teams_of_cadres(uow.conn, cadre_ids)
    teams = await uow.load_many(Team, sorted(set(memberships.values())))
    months = await uow.load_many(PresenceMonth, sorted({f"{e.cadre_id}-{month_of(e.day)}" for e in cmd.entries}))
    for i, entry in enumerate(cmd.entries):
        field = f"entries.{i}"
        cadres[entry.cadre_id].require_exists(f"{field}.cadre_id")
        team_id = memberships.get(entry.cadre_id)
        if team_id is None:
            raise DomainError(f"干部 {entry.cadre_id} 不在任何工作队 / cadre {entry.cadre_id} is in no team",
                              field=f"{field}.cadre_id")
        team = teams[team_id]
        access.team(team_id, team.district)
        entered = team.entered.get(entry.village_code)
        if entered is None or entered > entry.day:
            raise DomainError(
                f"工作队 {team_id} 在 {entry.day} 尚未进驻村 {entry.village_code} / team {team_id} had not entered "
                f"village {entry.village_code} by {entry.day}", field=f"{field}.village_code",
            )
        if entry.day > today:
            raise DomainError(f"不能为将来的日期打卡 / {entry.day} is in the future", field=f"{field}.day")
        if cadres[entry.cadre_id].on_leave(entry.day):
            raise DomainError(f"干部 {entry.cadre_id} 在 {entry.day} 请假 / on approved leave that day",
                              field=f"{field}.day")
        months[f"{entry.cadre_id}-{month_of(entry.day)}"].log(entry, team_id, f"{field}.day")
    await uow.save_all(list(months.values()))
    return {"logged": len(cmd.entries)}


async def compute_allowances(uow: UnitOfWork, cmd: ComputeAllowances, rate_fen: int) -> dict:
    rate = rate_fen  # the configured rate (registry_settings), never one from the request
    cadre_ids = await eventlog.registered_cadres(uow.conn)
    days = await eventlog.presence_days(uow.conn, cadre_ids, cmd.month)
    teams = await constraints.teams_of_cadres(uow.conn, list(days))
    ledger = await uow.load(AllowanceLedger, cmd.month)
    changed = ledger.compute(days, teams, rate)
    await uow.save(ledger)
    return {
        "month": cmd.month, "daily_rate_fen": rate, "changed": len(changed),
        "total_fen": sum(e.amount_fen for e in ledger.computed.values()),
        "items": [{"cadre_id": e.cadre_id, "team_id": e.team_id, "presence_days": e.presence_days,
                   "amount_fen": e.amount_fen} for e in sorted(ledger.computed.values(), key=lambda e: e.cadre_id)],
    }


