"""Cadre management: training, insurance, leave, presence and the monthly allowance."""

from __future__ import annotations

from shared.eventstore import UnitOfWork
from shared.eventstore.errors import DomainError

from services.registry.domain.cadres import (
    Cadre,
    CancelLeave,
    DecideLeave,
    RecordInsurance,
    RecordTraining,
    RequestLeave,
)
from services.registry.domain.presence import AllowanceLedger, ComputeAllowances, LogPresence, PresenceMonth, month_of
from services.registry.domain.teams import Team
from services.registry.handlers.access import Access
from services.registry.handlers.network import business_day
from services.registry.handlers.ports import constraints, data_keys, event_log
from services.registry.queries.cadres import cadre_in_reach, ledger_items


async def record_training(uow: UnitOfWork, cmd: RecordTraining, access: Access, *, cadre_id: str) -> dict:
    cadre, _ = await cadre_in_reach(uow, cadre_id, access)
    cadre.train(cmd)
    await uow.save(cadre)
    return {"cadre_id": cadre_id, "trained_on": cadre.trained_on.isoformat() if cadre.trained_on else None}


async def record_insurance(uow: UnitOfWork, cmd: RecordInsurance, access: Access, *, cadre_id: str) -> dict:
    cadre, _ = await cadre_in_reach(uow, cadre_id, access)
    cadre.insure(cmd, await data_keys(uow).sealer(cadre.stream_id, field="policy_no"))
    await uow.save(cadre)
    # Not the policy number: a command's result is kept (for replays) beyond any erasure.
    return {"cadre_id": cadre_id, "valid_from": cmd.valid_from.isoformat(), "valid_to": cmd.valid_to.isoformat()}


async def request_leave(uow: UnitOfWork, cmd: RequestLeave, access: Access, quota: int, *, cadre_id: str) -> dict:
    cadre, team_id = await cadre_in_reach(uow, cadre_id, access)
    cadre.request_leave(cmd, team_id, quota, await data_keys(uow).sealer(cadre.stream_id, field="reason"))
    await uow.save(cadre)
    return {"cadre_id": cadre_id, "leave_id": cmd.leave_id, "status": "requested",
            "days": (cmd.end - cmd.start).days + 1}


async def decide_leave(uow: UnitOfWork, cmd: DecideLeave, access: Access, quota: int, *, cadre_id: str,
                       leave_id: str) -> dict:
    cadre, team_id = await cadre_in_reach(uow, cadre_id, access)  # the route admits officials only
    seal = None if cmd.approve else await data_keys(uow).sealer(cadre.stream_id, field="reason")
    cadre.decide_leave(leave_id, cmd, team_id, quota, seal)
    await uow.save(cadre)
    leave = cadre.leaves[leave_id]
    return {"cadre_id": cadre_id, "leave_id": leave_id, "status": leave.status, "days": leave.days,
            "used_days": cadre.used_days(leave.start.year), "quota_days": quota}


async def cancel_leave(uow: UnitOfWork, cmd: CancelLeave, access: Access, *, cadre_id: str, leave_id: str) -> dict:
    cadre, team_id = await cadre_in_reach(uow, cadre_id, access)
    cadre.cancel_leave(leave_id, cmd, team_id, business_day(uow),
                       await data_keys(uow).sealer(cadre.stream_id, field="reason"))
    await uow.save(cadre)
    leave = cadre.leaves[leave_id]
    return {"cadre_id": cadre_id, "leave_id": leave_id, "status": leave.status, "days": leave.days,
            "used_days": cadre.used_days(leave.start.year)}


async def log_presence(uow: UnitOfWork, cmd: LogPresence, access: Access) -> dict:
    """Each check-in: a member of a team that has entered that village, not on leave, not in the future."""
    today = business_day(uow)
    cadre_ids = sorted({e.cadre_id for e in cmd.entries})
    days = [e.day for e in cmd.entries]
    # Only what the rules need of each cadre (registered, approved leaves), not every event of
    # every cadre decoded: read in this command as the whole streams were, so a leave approved
    # before it still refuses its days.
    on_record = await event_log(uow).cadres_on_record(cadre_ids, min(days), max(days))
    memberships = await constraints(uow).teams_of_cadres(cadre_ids)
    teams = await uow.load_many(Team, sorted(set(memberships.values())))
    months = await uow.load_many(PresenceMonth, sorted({f"{e.cadre_id}-{month_of(e.day)}" for e in cmd.entries}))
    for i, entry in enumerate(cmd.entries):
        field = f"entries.{i}"
        if entry.cadre_id not in on_record:
            Cadre(entry.cadre_id).require_exists(f"{field}.cadre_id")  # the 404 a loaded cadre gave
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
        if on_record[entry.cadre_id].cover(entry.day):
            raise DomainError(f"干部 {entry.cadre_id} 在 {entry.day} 请假 / on approved leave that day",
                              field=f"{field}.day")
        months[f"{entry.cadre_id}-{month_of(entry.day)}"].log(entry, team_id, f"{field}.day")
    await uow.save_all(list(months.values()))
    return {"logged": len(cmd.entries)}


async def compute_allowances(uow: UnitOfWork, cmd: ComputeAllowances, rate_fen: int) -> dict:
    rate = rate_fen  # the configured rate (registry_settings), never one from the request
    cadre_ids = await event_log(uow).registered_cadres()
    days = await event_log(uow).presence_days(cadre_ids, cmd.month)
    teams = await constraints(uow).teams_of_cadres(list(days))
    ledger = await uow.load(AllowanceLedger, cmd.month)
    changed = ledger.compute(days, teams, rate)
    await uow.save(ledger)
    return {
        "month": cmd.month, "daily_rate_fen": rate, "changed": len(changed),
        "total_fen": sum(e.amount_fen for e in ledger.computed.values()),
        "items": ledger_items(ledger.computed.values()),
    }
