"""The support network as the API shows it: a unit, a team, a matching proposal, and the gaps."""

from __future__ import annotations

from shared.eventstore import NotFound, UnitOfWork
from shared.eventstore.errors import Forbidden

from services.registry.domain.proposals import Proposal
from services.registry.domain.teams import Team
from services.registry.domain.units import Unit
from services.registry.queries.eventlog import fold, unserved_villages
from services.registry.queries.scope import ReadScope


async def unit(uow: UnitOfWork, unit_id: str) -> dict:
    unit = await uow.load(Unit, unit_id)
    unit.require_exists()
    teams = [r["team_id"] for r in await uow.conn.fetch(
        "select team_id from registry.unit_team where unit_id = $1 order by slot", unit_id)]
    return {"unit_id": unit_id, "name": unit.name, "level": unit.level, "district": unit.district,
            "strengths": unit.strengths, "team_ids": teams}


async def team(uow: UnitOfWork, team_id: str, reach: ReadScope = ReadScope()) -> dict:
    team = await uow.load(Team, team_id)
    if not team.exists:  # a dissolved team is still shown, as dissolved
        raise NotFound(f"未找到工作队 {team_id} / team {team_id} not found", field="team_id")
    reach.require(team.district, [team_id], "team_id")
    return {"team_id": team_id, "dissolved": team.dissolved, "district": team.district,
            "lead_unit_id": team.lead_unit_id,
            "partner_unit_ids": team.partner_unit_ids, "member_ids": team.members,
            "first_secretary_id": team.first_secretary_id, "villages": team.villages,
            "entered": {code: day.isoformat() for code, day in team.entered.items()},
            "stream_version": team.version}


async def proposal(uow: UnitOfWork, proposal_id: str, reach: ReadScope = ReadScope()) -> dict:
    proposal = await uow.load(Proposal, proposal_id)
    proposal.require_exists()
    if not reach.everything and not (proposal.districts and all(reach.sees(d) for d in proposal.districts)):
        raise Forbidden("方案涉及本区以外 / the proposal matches outside your district", field="proposal_id")
    return {"proposal_id": proposal_id,
            "pairs": [p.model_dump(mode="json") | {"accepted": key in proposal.accepted}
                      for key, p in sorted(proposal.pairs.items())],
            "accepted": len(proposal.accepted), "pending": len(proposal.pairs) - len(proposal.accepted)}


async def gaps(uow: UnitOfWork, district: str | None, reach: ReadScope = ReadScope()) -> dict:
    """Where the network falls short of the rules' lower bounds: units in no team, weak villages
    without a team, teams without a village, first secretaries without the centralised training.
    A reader scoped to teams (a unit, a first secretary) sees those teams' gaps only; one scoped
    to a district, that district's (asking for another is refused)."""
    conn = uow.conn
    if reach.district is not None:
        if district not in (None, reach.district):
            raise Forbidden(f"只能查看本区 / you may read district {reach.district} only", field="district")
        district = reach.district
    units: dict[str, str | None] = {}
    teams: dict[str, dict] = {}
    trained: set[str] = set()
    for r in await fold(conn, ("UnitRegistered", "WorkTeamFormed", "TeamMembersChanged", "TeamDissolved",
                               "CadreTrained")):
        p = r["payload"]
        match r["type"]:
            case "UnitRegistered":
                units[p["unit_id"]] = p.get("district")
            case "WorkTeamFormed":
                teams[p["team_id"]] = {"district": p["district"], "secretary": p["first_secretary_id"]}
            case "TeamMembersChanged":
                teams[p["team_id"]]["secretary"] = p["first_secretary_id"]
            case "TeamDissolved":
                teams.pop(p["team_id"], None)
            case "CadreTrained" if p.get("centralised", True):
                trained.add(p["cadre_id"])
    in_teams = {r["unit_id"] for r in await conn.fetch("select distinct unit_id from registry.unit_team")}
    counts = dict(await conn.fetch("select team_id, count(*) from registry.village_team group by team_id"))
    mine = {t: v for t, v in teams.items() if (district is None or v["district"] == district)
            and (reach.teams is None or t in reach.teams)}
    by_teams = reach.teams is not None  # units and villages without a team are no team's
    return {
        "units_without_team": [] if by_teams else sorted(
            u for u, d in units.items() if u not in in_teams and (district is None or d == district)),
        "villages_without_team": [] if by_teams else [
            v.code for v in await unserved_villages(conn, [district] if district else [])],
        "teams_without_village": sorted(t for t in mine if not counts.get(t)),
        "teams_with_untrained_first_secretary": sorted(t for t, v in mine.items() if v["secretary"] not in trained),
        "teams_by_villages": {str(n): sum(1 for t in mine if counts.get(t, 0) == n) for n in (0, 1, 2)},
    }
