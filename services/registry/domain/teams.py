"""驻村工作队 / village-resident work teams, and the programme's rules about them.

Rules kept here (one team's own state): a lead unit plus optional partners; every member
belongs to one of them; the first secretary is a member; a team serves at most two
villages, all in its district, each designated; entering a village needs a first
secretary who completed the centralised training, and so does a new first secretary on the
day they take over; a dissolved team takes no more commands. Rules across teams (a cadre in
one team, a unit in at most two, a village with one team) are kept by the constraint tables,
which a dissolution releases.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.registry import (
    FirstSecretaryReplaced,
    TeamAssigned,
    TeamDissolved,
    TeamEnteredVillage,
    TeamMembersChanged,
    TeamRotated,
    TeamUnassigned,
    WorkTeamFormed,
)
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound
from shared.lists import no_repeats
from shared.reference.places import DistrictCode

from services.registry.domain.cadres import Cadre
from services.registry.domain.ids import Id
from services.registry.domain.units import Unit
from services.registry.domain.village import Village

MAX_VILLAGES = 2


class FormTeam(BaseModel):
    """组建驻村工作队 / form a work team: a lead unit, optional partner units, members and a first secretary."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    team_id: Id
    district: DistrictCode = Field(description="工作队服务的区（名称或代码）/ district the team serves (name or code)")
    lead_unit_id: Id = Field(description="牵头单位 / lead unit")
    partner_unit_ids: list[Id] = Field(default_factory=list, max_length=10, description="协作单位 / partner units")
    member_ids: list[Id] = Field(min_length=1, max_length=20, description="队员（干部标识）/ members (cadre ids)")
    first_secretary_id: Id = Field(description="第一书记（队长，须为队员）/ first secretary, the leader; must be a member")

    @model_validator(mode="after")
    def distinct(self) -> FormTeam:
        if len(set(self.member_ids)) != len(self.member_ids):
            raise ValueError("队员重复 / a member is listed twice")
        if len(set(self.partner_unit_ids)) != len(self.partner_unit_ids) or self.lead_unit_id in self.partner_unit_ids:
            raise ValueError("协作单位重复或与牵头单位相同 / partner units repeat or include the lead unit")
        return self


class ChangeMembers(BaseModel):
    """调整队员 / add or remove members, or change the first secretary."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    add: list[Id] = Field(default_factory=list, max_length=20, description="新增队员 / cadres joining")
    remove: list[Id] = Field(default_factory=list, max_length=20, description="离队队员 / cadres leaving")
    first_secretary_id: Id | None = Field(None, description="新的第一书记（不填则不变）/ new first secretary, if any")


class AssignVillage(BaseModel):
    """工作队对接村（人工指定）/ assign the team to a designated village by hand."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    village_code: str = Field(pattern=r"^\d{12}$", description="村代码 / village code")
    reason: str = Field("人工指定 / assigned by hand", min_length=1, max_length=500, description="对接理由 / why")


class UnassignVillage(BaseModel):
    """解除对接 / end the team's assignment to a village."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=2, max_length=500, description="理由 / why")


class EnterVillage(BaseModel):
    """工作队入村 / the team enters a village it is assigned to."""

    model_config = ConfigDict(extra="forbid")

    entered_on: IsoDate = Field(description="入村日期 / date of entry")


class DissolveTeam(BaseModel):
    """撤销工作队 / dissolve a team: its villages, members and its units' places are freed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=2, max_length=500, description="撤销理由 / why")


class RotateTeam(BaseModel):
    """工作队轮换 / move the team to other villages (1–2, designated, of its district, without a team)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    villages: Annotated[list[Annotated[str, Field(pattern=r"^\d{12}$")]],
                        no_repeats("村代码重复 / a village is listed twice")] = Field(
        min_length=1, max_length=MAX_VILLAGES, description="轮换后服务的村（1–2 个村代码）/ the villages served from now on")
    reason: str = Field(min_length=2, max_length=500, description="轮换理由 / why")


class ReplaceFirstSecretary(BaseModel):
    """更换第一书记 / a new first secretary, trained by the day of the replacement (as at entry)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    cadre_id: Id = Field(description="新任第一书记（本队或牵头、协作单位的干部）/ the new first secretary: a member, "
                                     "or a cadre of the lead or a partner unit who then joins")
    previous_leaves: bool = Field(False, description="原第一书记是否离队 / whether the one replaced leaves the team")
    reason: str = Field(min_length=2, max_length=500, description="更换理由 / why")


class Team(Aggregate):
    stream_prefix = "team"
    noun = "工作队"

    district: str
    lead_unit_id: str
    partner_unit_ids: list[str]
    first_secretary_id: str

    def __init__(self, key: str):
        super().__init__(key)
        self.members: list[str] = []
        self.villages: list[str] = []
        self.entered: dict[str, date] = {}
        self.dissolved = False

    @property
    def unit_ids(self) -> list[str]:
        return [self.lead_unit_id, *self.partner_unit_ids]

    def require_exists(self) -> None:
        """The team was formed and is not dissolved: a dissolved team takes no more commands."""
        super().require_exists()
        if self.dissolved:
            raise Conflict(f"工作队 {self.key} 已撤销 / team {self.key} was dissolved", field="team_id")

    def form(self, cmd: FormTeam, units: Mapping[str, Unit], cadres: Mapping[str, Cadre]) -> None:
        if self.exists:
            raise Conflict(f"工作队 {cmd.team_id} 已组建 / team {cmd.team_id} already formed", field="team_id")
        for field, unit_id in [("lead_unit_id", cmd.lead_unit_id), *(("partner_unit_ids", u) for u in cmd.partner_unit_ids)]:
            if not units[unit_id].exists:
                raise DomainError(f"单位 {unit_id} 未登记 / unit {unit_id} is not registered", field=field)
        lead = units[cmd.lead_unit_id]
        if lead.level == "district" and lead.district != cmd.district:
            raise DomainError(
                f"区级牵头单位只能在本区（{lead.district}）组队 / a district-level lead unit serves its own district {lead.district}",
                field="district",
            )
        self._check_members(cmd.member_ids, cmd.first_secretary_id, [cmd.lead_unit_id, *cmd.partner_unit_ids], cadres)
        self.record(WorkTeamFormed(team_id=cmd.team_id, lead_unit_id=cmd.lead_unit_id,
                                   partner_unit_ids=cmd.partner_unit_ids, member_ids=cmd.member_ids,
                                   first_secretary_id=cmd.first_secretary_id, district=cmd.district))

    def change_members(self, cmd: ChangeMembers, cadres: Mapping[str, Cadre], today: date) -> tuple[list[str], list[str]]:
        self.require_exists()
        unknown = [c for c in cmd.remove if c not in self.members]
        if unknown:
            raise DomainError(f"{unknown[0]} 不是本队队员 / {unknown[0]} is not a member", field="remove")
        already = [c for c in cmd.add if c in self.members]
        if already:
            raise Conflict(f"{already[0]} 已是本队队员 / {already[0]} is already a member", field="add")
        members = [m for m in self.members if m not in cmd.remove] + list(dict.fromkeys(cmd.add))
        secretary = cmd.first_secretary_id or self.first_secretary_id
        self._check_members(members, secretary, self.unit_ids, cadres, field="add")
        if secretary != self.first_secretary_id:
            self._check_trained(cadres[secretary], today, "first_secretary_id")
        if not cmd.add and not cmd.remove and secretary == self.first_secretary_id:
            raise DomainError("没有变化 / nothing changes", field="add")
        self.record(TeamMembersChanged(team_id=self.key, added=list(dict.fromkeys(cmd.add)), removed=cmd.remove,
                                       first_secretary_id=secretary))
        return list(dict.fromkeys(cmd.add)), list(cmd.remove)

    @staticmethod
    def _check_trained(cadre: Cadre, today: date, field: str) -> date:
        """A new first secretary has completed the centralised training by the day they take over —
        the rule entry applies to the first one (``enter``). Returns the day of that training."""
        if cadre.trained_on is None or not cadre.trained_by(today):
            raise DomainError(
                f"新任第一书记 {cadre.key} 须于 {today}（含）之前完成集中培训，与入村时相同 / a new first secretary "
                f"must have completed the centralised training by {today}, as at entry",
                field=field,
            )
        return cadre.trained_on

    def replace_secretary(self, cmd: ReplaceFirstSecretary, cadres: Mapping[str, Cadre],
                          today: date) -> tuple[list[str], list[str]]:
        """Records the membership (``TeamMembersChanged``: the new one joins if not a member, the
        previous one leaves if asked) and the decision (``FirstSecretaryReplaced``)."""
        self.require_exists()
        previous, new = self.first_secretary_id, cmd.cadre_id
        if new == previous:
            raise Conflict(f"{new} 已是本队第一书记 / {new} is the first secretary already", field="cadre_id")
        added = [] if new in self.members else [new]
        removed = [previous] if cmd.previous_leaves else []
        members = [m for m in self.members if m not in removed] + added
        cadre = cadres[new]
        if not cadre.exists:
            raise DomainError(f"干部 {new} 未登记 / cadre {new} is not registered", field="cadre_id")
        self._check_members(members, new, self.unit_ids, cadres, field="cadre_id")
        trained_on = self._check_trained(cadre, today, "cadre_id")
        self.record(TeamMembersChanged(team_id=self.key, added=added, removed=removed, first_secretary_id=new))
        self.record(FirstSecretaryReplaced(team_id=self.key, district=self.district, previous_id=previous,
                                           first_secretary_id=new, replaced_on=today, trained_on=trained_on,
                                           reason=cmd.reason))
        return added, removed

    def dissolve(self, cmd: DissolveTeam, today: date) -> list[str]:
        """Ends every assignment (``TeamUnassigned``, as any consumer of assignments knows), then
        ``TeamDissolved``; returns the villages freed."""
        self.require_exists()
        villages = list(self.villages)
        for code in villages:
            self.record(TeamUnassigned(team_id=self.key, village_code=code, district=self.district,
                                       reason=f"工作队撤销 / team dissolved: {cmd.reason}"))
        self.record(TeamDissolved(team_id=self.key, district=self.district, lead_unit_id=self.lead_unit_id,
                                  partner_unit_ids=self.partner_unit_ids, member_ids=list(self.members),
                                  first_secretary_id=self.first_secretary_id, villages=villages,
                                  dissolved_on=today, reason=cmd.reason))
        return villages

    def rotate(self, cmd: RotateTeam, villages: Mapping[str, Village]) -> tuple[list[str], list[str]]:
        """Leaves the villages not in ``cmd.villages``, joins the new ones (each must be designated and
        in the team's district; a village kept keeps its entry). Returns (left, joined)."""
        self.require_exists()
        left = [c for c in self.villages if c not in cmd.villages]
        joined = [c for c in cmd.villages if c not in self.villages]
        if not joined and not left:
            raise DomainError("轮换后的村与现在相同 / the team serves these villages already", field="villages")
        for code in joined:
            self._check_village(villages[code], field="villages")
        reason = f"轮换 / rotation: {cmd.reason}"
        for code in left:
            self.record(TeamUnassigned(team_id=self.key, village_code=code, district=self.district, reason=reason))
        for code in joined:
            self.record(TeamAssigned(team_id=self.key, lead_unit_id=self.lead_unit_id, village_code=code,
                                     district=self.district, reason=reason))
        self.record(TeamRotated(team_id=self.key, district=self.district, left=left, joined=joined,
                                villages=list(self.villages), reason=cmd.reason))
        return left, joined

    def _check_village(self, village: Village, field: str = "village_code") -> None:
        village.require_exists()
        if village.designated_by is None:
            raise DomainError(f"村 {village.key} 不是经济薄弱村 / village {village.key} is not designated", field=field)
        if village.district != self.district:
            raise DomainError(
                f"村 {village.key} 不在工作队服务的区 {self.district} / village {village.key} is outside the team's district",
                field=field,
            )

    @staticmethod
    def _check_members(members: list[str], secretary: str, unit_ids: list[str], cadres: Mapping[str, Cadre],
                       field: str = "member_ids") -> None:
        if not members:
            raise DomainError("工作队至少一名队员 / a team needs at least one member", field=field)
        for cadre_id in members:
            cadre = cadres[cadre_id]
            if not cadre.exists:
                raise DomainError(f"干部 {cadre_id} 未登记 / cadre {cadre_id} is not registered", field=field)
            if cadre.unit_id not in unit_ids:
                raise DomainError(
                    f"干部 {cadre_id} 所在单位 {cadre.unit_id} 不是本队牵头或协作单位 / "
                    f"cadre {cadre_id}'s unit {cadre.unit_id} is neither the lead nor a partner unit",
                    field=field,
                )
        if secretary not in members:
            raise DomainError(f"第一书记 {secretary} 须为本队队员 / the first secretary must be a member",
                              field="first_secretary_id")

    def assign(self, village: Village, reason: str, proposal_id: str | None = None) -> None:
        self.require_exists()
        self._check_village(village)
        if village.key in self.villages:
            raise Conflict(f"工作队已对接村 {village.key} / the team already serves {village.key}", field="village_code")
        if len(self.villages) >= MAX_VILLAGES:
            raise DomainError(
                f"每个工作队负责 1–2 个村，{self.key} 已有 {len(self.villages)} 个 / a team serves at most two villages",
                field="village_code",
            )
        self.record(TeamAssigned(team_id=self.key, lead_unit_id=self.lead_unit_id, village_code=village.key,
                                 district=village.district, reason=reason, proposal_id=proposal_id))

    def unassign(self, village_code: str, district: str, reason: str) -> None:
        self.require_exists()
        if village_code not in self.villages:
            raise NotFound(f"工作队未对接村 {village_code} / the team does not serve {village_code}", field="village_code")
        self.record(TeamUnassigned(team_id=self.key, village_code=village_code, district=district, reason=reason))

    def enter(self, village_code: str, cmd: EnterVillage, secretary: Cadre) -> None:
        self.require_exists()
        if village_code not in self.villages:
            raise DomainError(f"工作队未对接村 {village_code} / the team is not assigned to {village_code}",
                              field="village_code")
        if village_code in self.entered:
            raise Conflict(f"已于 {self.entered[village_code]} 入村 / entered on {self.entered[village_code]}",
                           field="village_code")
        if not secretary.trained_by(cmd.entered_on):
            raise DomainError(
                f"第一书记 {secretary.key} 尚未完成集中培训，工作队不能入村 / the first secretary has not completed "
                f"the centralised training by {cmd.entered_on}",
                field="entered_on",
            )
        self.record(TeamEnteredVillage(team_id=self.key, village_code=village_code, entered_on=cmd.entered_on))

    def when_WorkTeamFormed(self, event: WorkTeamFormed) -> None:
        self.district = event.district or ""
        self.lead_unit_id, self.partner_unit_ids = event.lead_unit_id, list(event.partner_unit_ids)
        self.members, self.first_secretary_id = list(event.member_ids), event.first_secretary_id

    def when_TeamMembersChanged(self, event: TeamMembersChanged) -> None:
        self.members = [m for m in self.members if m not in event.removed] + list(event.added)
        self.first_secretary_id = event.first_secretary_id

    def when_TeamAssigned(self, event: TeamAssigned) -> None:
        self.villages.append(event.village_code)

    def when_TeamUnassigned(self, event: TeamUnassigned) -> None:
        self.villages.remove(event.village_code)
        self.entered.pop(event.village_code, None)

    def when_TeamEnteredVillage(self, event: TeamEnteredVillage) -> None:
        self.entered[event.village_code] = event.entered_on

    def when_FirstSecretaryReplaced(self, event: FirstSecretaryReplaced) -> None:
        self.first_secretary_id = event.first_secretary_id  # stated by the TeamMembersChanged before it too

    def when_TeamDissolved(self, event: TeamDissolved) -> None:
        self.dissolved = True
        self.members = []
