"""驻村工作队 / work teams: forming, members, assignment to villages, entering a village."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from shared.http.deps import Store

from services.registry.domain import teams as commands
from services.registry.entrypoints import schemas
from services.registry.entrypoints.deps import Officials, Staff, TeamsAndOfficials, command_routes
from services.registry.queries import network, read, scoped

router = APIRouter(prefix="/teams", tags=["驻村工作队 work teams"])
TeamId = Annotated[str, Path(max_length=64, description="工作队标识 / team id")]
Code = Annotated[str, Path(pattern=r"^\d{12}$", description="村代码 / village code")]
writes = command_routes(router, Officials, team_id=TeamId, code=Code)


writes.add("", commands.FormTeam, schemas.TeamFormed, created=True,
           summary="组建驻村工作队 / form a work team",
           description=(
               "规则：每个单位（牵头或协作）参与 1–2 个工作队；队员须来自牵头或协作单位；一名干部同一时间只在一个队；"
               "第一书记须为队员；区级牵头单位只在本区组队。 / Rules: a unit takes part in at most two teams; members come "
               "from the lead or a partner unit; a cadre is in one team at a time; the first secretary is a member; a "
               "district-level lead unit forms teams for its own district."
           ))


@router.get("/{team_id}", summary="工作队 / a team as it stands now")
async def get_team(team_id: TeamId, store: Store, who: Staff) -> schemas.TeamView:
    return await read(store, scoped(network.team, who), team_id)


writes.add("/{team_id}/members", commands.ChangeMembers, schemas.TeamMembers,
           summary="调整队员或第一书记 / change members or the first secretary")


writes.add("/{team_id}/villages", commands.AssignVillage, schemas.Assignment, created=True,
           summary="人工对接村 / assign the team to a weak village by hand",
           description="村须为经济薄弱村且在工作队服务的区；每队 1–2 个村；每村只有一个工作队 / the village must be "
                       "designated and in the team's district; a team serves at most two villages; a village has one team.")


writes.add("/{team_id}/villages/{code}/unassign", commands.UnassignVillage, schemas.Unassigned,
           summary="解除对接 / end an assignment")


writes.add("/{team_id}/villages/{code}/entry", commands.EnterVillage, schemas.Entered, caller=TeamsAndOfficials,
           created=True,
           summary="工作队入村 / the team enters the village",
           description="第一书记须在入村日前完成集中培训 / the first secretary must have completed the centralised "
                       "training by the day of entry.")


writes.add("/{team_id}/first-secretary", commands.ReplaceFirstSecretary, schemas.TeamMembers,
           summary="更换第一书记 / replace the first secretary",
           description="新任者须为本队或牵头、协作单位的干部，不在其他工作队，并在更换之日前完成集中培训（与入村时相同）；"
                       "previous_leaves=true 时原第一书记离队。 / The new one is a member or a cadre of the lead or a partner "
                       "unit, in no other team, and has completed the centralised training by the day (as at entry); with "
                       "previous_leaves the one replaced leaves the team.")


writes.add("/{team_id}/rotation", commands.RotateTeam, schemas.TeamRotated,
           summary="工作队轮换到其他村 / rotate the team to other villages",
           description="轮换后服务 1–2 个本区经济薄弱村，新村须尚无工作队；离开的村解除对接，新村须重新入村。 / After the "
                       "rotation the team serves 1–2 designated villages of its district; new ones must have no team; the "
                       "villages left are unassigned; the new ones must be entered again.")


writes.add("/{team_id}/dissolution", commands.DissolveTeam, schemas.TeamDissolvedView,
           summary="撤销工作队 / dissolve the team",
           description="解除其全部对接村，队员、单位名额（每单位 1–2 个队）随之释放；撤销后不再受理该队的命令。 / Ends its "
                       "assignments; its members and its units' places (1–2 teams per unit) are freed; a dissolved team "
                       "takes no more commands (409).")
