"""The support network: units, cadres, teams, and which team serves which village."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from shared.contracts.registry import ProposedPair
from shared.dates import BEIJING
from shared.eventstore import UnitOfWork
from shared.eventstore.errors import DomainError
from shared.eventstore.unit_of_work import register_new

from services.registry.domain.cadres import Cadre, RegisterCadre
from services.registry.domain.teams import (
    AssignVillage,
    ChangeMembers,
    DissolveTeam,
    EnterVillage,
    FormTeam,
    ReplaceFirstSecretary,
    RotateTeam,
    Team,
    UnassignVillage,
)
from services.registry.domain.units import ChangeUnitAttributes, RegisterUnit, Unit
from services.registry.domain.village import Village
from services.registry.handlers.access import Access
from services.registry.handlers.ports import constraints, data_keys, register_lock


def business_day(uow: UnitOfWork) -> date:
    """The command's day in Beijing, never later than the server's own Beijing today: a time
    stated in a far-east zone (``+14:00``) must not open tomorrow's presence sheet."""
    today = datetime.now(UTC).astimezone(BEIJING).date()
    if uow.meta.occurred_at is None:
        return today
    return min(uow.meta.occurred_at.astimezone(BEIJING).date(), today)


async def register_unit(uow: UnitOfWork, cmd: RegisterUnit, access: Access) -> dict:
    access.district(cmd.district)
    unit = await register_new(uow, Unit, cmd.unit_id, cmd)
    return {"unit_id": cmd.unit_id, "stream_version": unit.version}


async def change_unit_attributes(uow: UnitOfWork, cmd: ChangeUnitAttributes, access: Access, *, unit_id: str) -> dict:
    unit = await uow.load(Unit, unit_id)
    unit.require_exists()
    access.district(unit.district)  # as at registration: city units by the city office
    unit.change_attributes(cmd)
    await uow.save(unit)
    return {"unit_id": unit_id, "strengths": unit.strengths, "stream_version": unit.version}


async def register_cadre(uow: UnitOfWork, cmd: RegisterCadre, access: Access) -> dict:
    unit = await uow.load(Unit, cmd.unit_id)
    if not unit.exists:
        raise DomainError(f"单位 {cmd.unit_id} 未登记 / unit {cmd.unit_id} is not registered", field="unit_id")
    access.unit(cmd.unit_id, unit.district)
    cadre = await uow.load(Cadre, cmd.cadre_id)
    cadre.register(cmd, await data_keys(uow).sealer(cadre.stream_id, field="name"))
    await uow.save(cadre)
    return {"cadre_id": cmd.cadre_id, "stream_version": cadre.version}


async def load_team(uow: UnitOfWork, team_id: str) -> Team:
    team = await uow.load(Team, team_id)
    team.require_exists()
    return team


async def form_team(uow: UnitOfWork, cmd: FormTeam, access: Access) -> dict:
    access.district(cmd.district)
    team = await uow.load(Team, cmd.team_id)
    units = await uow.load_many(Unit, [cmd.lead_unit_id, *cmd.partner_unit_ids])
    cadres = await uow.load_many(Cadre, cmd.member_ids)
    team.form(cmd, units, cadres)
    await constraints(uow).take_unit_slots(cmd.team_id, [cmd.lead_unit_id, *cmd.partner_unit_ids])
    await constraints(uow).join_cadres(cmd.team_id, cmd.member_ids, "member_ids")
    await uow.save(team)
    return {"team_id": cmd.team_id, "stream_version": team.version}


async def change_members(uow: UnitOfWork, cmd: ChangeMembers, access: Access, *, team_id: str) -> dict:
    team = await load_team(uow, team_id)
    access.district(team.district)
    cadres = await uow.load_many(Cadre, sorted({*team.members, *cmd.add}))
    return await _members_moved(uow, team, *team.change_members(cmd, cadres, business_day(uow)), field="add")


async def assign_pairs(uow: UnitOfWork, pairs: Sequence[tuple[str, str, str]], access: Access,
                       proposal_id: str | None = None) -> list[dict]:
    """Assign each (team_id, village_code, reason); all or nothing."""
    await register_lock(uow).shared()  # no screening run revokes these villages meanwhile
    teams = await uow.load_many(Team, sorted({t for t, _, _ in pairs}))
    villages = await uow.load_many(Village, sorted({v for _, v, _ in pairs}))
    for team_id, code, reason in pairs:
        team = teams[team_id]
        team.require_exists()
        access.district(team.district)
        team.assign(villages[code], reason, proposal_id)
    await constraints(uow).link_villages([(code, team_id, villages[code].district) for team_id, code, _ in pairs])
    await uow.save_all(list(teams.values()))
    return [{"team_id": t, "village_code": v} for t, v, _ in pairs]


async def assign_village(uow: UnitOfWork, cmd: AssignVillage, access: Access, *, team_id: str) -> dict:
    await assign_pairs(uow, [(team_id, cmd.village_code, cmd.reason)], access)
    return {"team_id": team_id, "village_code": cmd.village_code}


async def assign_proposed(uow: UnitOfWork, pairs: Sequence[ProposedPair], access: Access, proposal_id: str) -> list[dict]:
    return await assign_pairs(uow, [(p.team_id, p.village_code, p.reason) for p in pairs], access, proposal_id)


async def unassign_village(uow: UnitOfWork, cmd: UnassignVillage, access: Access, *, team_id: str, code: str) -> dict:
    team = await load_team(uow, team_id)
    access.district(team.district)
    team.unassign(code, team.district, cmd.reason)
    await constraints(uow).unlink_villages([code])
    await uow.save(team)
    return {"team_id": team_id, "village_code": code, "villages": team.villages}


async def enter_village(uow: UnitOfWork, cmd: EnterVillage, access: Access, *, team_id: str, code: str) -> dict:
    team = await load_team(uow, team_id)
    access.team(team_id, team.district)
    secretary = await uow.load(Cadre, team.first_secretary_id)
    team.enter(code, cmd, secretary)
    await uow.save(team)
    return {"team_id": team_id, "village_code": code, "entered_on": cmd.entered_on.isoformat()}


async def replace_first_secretary(uow: UnitOfWork, cmd: ReplaceFirstSecretary, access: Access, *, team_id: str) -> dict:
    team = await load_team(uow, team_id)
    access.district(team.district)
    cadres = await uow.load_many(Cadre, sorted({*team.members, cmd.cadre_id}))
    return await _members_moved(uow, team, *team.replace_secretary(cmd, cadres, business_day(uow)), field="cadre_id")


async def _members_moved(uow: UnitOfWork, team: Team, added: list[str], removed: list[str], *, field: str) -> dict:
    """The cadre rows follow a membership change (a cadre joining is refused on ``field`` if in another team)."""
    await constraints(uow).leave_cadres(team.key, removed)
    await constraints(uow).join_cadres(team.key, added, field)
    await uow.save(team)
    return {"team_id": team.key, "members": team.members, "first_secretary_id": team.first_secretary_id,
            "stream_version": team.version}


async def dissolve_team(uow: UnitOfWork, cmd: DissolveTeam, access: Access, *, team_id: str) -> dict:
    team = await load_team(uow, team_id)
    access.district(team.district)
    members = list(team.members)
    villages = team.dissolve(cmd, business_day(uow))
    await constraints(uow).release_team(team_id)
    await uow.save(team)
    return {"team_id": team_id, "dissolved": True, "villages_released": villages, "members_released": members,
            "units_released": [team.lead_unit_id, *team.partner_unit_ids], "stream_version": team.version}


async def rotate_team(uow: UnitOfWork, cmd: RotateTeam, access: Access, *, team_id: str) -> dict:
    await register_lock(uow).shared()  # no screening run revokes the new villages meanwhile
    team = await load_team(uow, team_id)
    access.district(team.district)
    villages = await uow.load_many(Village, [c for c in cmd.villages if c not in team.villages])
    left, joined = team.rotate(cmd, villages)
    await constraints(uow).unlink_villages(left)
    await constraints(uow).link_villages([(code, team_id, team.district) for code in joined])
    await uow.save(team)
    return {"team_id": team_id, "left": left, "joined": joined, "villages": team.villages,
            "stream_version": team.version}
