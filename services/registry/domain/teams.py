"""驻村工作队 / village-resident work teams, and the programme's rules about them.

Rules kept here (one team's own state): a lead unit plus optional partners; every member
belongs to one of them; the first secretary is a member; a team serves at most two
villages, all in its district, each designated; entering a village needs a first
secretary who completed the centralised training. Rules across teams (a cadre in one
team, a unit in at most two, a village with one team) are kept by the constraint tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.contracts.registry import (
    TeamAssigned,
    TeamEnteredVillage,
    TeamMembersChanged,
    TeamUnassigned,
    WorkTeamFormed,
)
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound
from shared.reference.places import district_code

from services.registry.domain.cadres import Cadre
from services.registry.domain.ids import Id
from services.registry.domain.units import Unit
from services.registry.domain.village import Village

MAX_VILLAGES = 2


class FormTeam(BaseModel):
    """组建驻村工作队 / form a work team: a lead unit, optional partner units, members and a first secretary."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    team_id: Id
    district: str = Field(description="工作队服务的区（名称或代码）/ district the team serves (name or code)")
    lead_unit_id: Id = Field(description="牵头单位 / lead unit")
    partner_unit_ids: list[Id] = Field(default_factory=list, max_length=10, description="协作单位 / partner units")
    member_ids: list[Id] = Field(min_length=1, max_length=20, description="队员（干部标识）/ members (cadre ids)")
    first_secretary_id: Id = Field(description="第一书记（队长，须为队员）/ first secretary, the leader; must be a member")

    @field_validator("district")
    @classmethod
    def known_district(cls, value: str) -> str:
        return district_code(value)

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


class Team(Aggregate):
    stream_prefix = "team"

    district: str
    lead_unit_id: str
    partner_unit_ids: list[str]
    first_secretary_id: str

    def __init__(self, key: str):
        super().__init__(key)
        self.members: list[str] = []
        self.villages: list[str] = []
        self.entered: dict[str, date] = {}

    @property
    def unit_ids(self) -> list[str]:
        return [self.lead_unit_id, *self.partner_unit_ids]

    def require_exists(self) -> None:
        if not self.exists:
            raise NotFound(f"未找到工作队 {self.key} / team {self.key} not found", field="team_id")

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
        if secretary != self.first_secretary_id and self.entered and not cadres[secretary].trained_by(today):
            raise DomainError(
                f"工作队已入村，新任第一书记 {secretary} 须已完成集中培训 / the team is in its village: "
                f"a new first secretary must have completed the centralised training",
                field="first_secretary_id",
            )
        if not cmd.add and not cmd.remove and secretary == self.first_secretary_id:
            raise DomainError("没有变化 / nothing changes", field="add")
        self.record(TeamMembersChanged(team_id=self.key, added=list(dict.fromkeys(cmd.add)), removed=cmd.remove,
                                       first_secretary_id=secretary))
        return list(dict.fromkeys(cmd.add)), list(cmd.remove)

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
        village.require_exists()
        if village.designated_by is None:
            raise DomainError(f"村 {village.key} 不是经济薄弱村 / village {village.key} is not designated",
                              field="village_code")
        if village.district != self.district:
            raise DomainError(
                f"村 {village.key} 不在工作队服务的区 {self.district} / village {village.key} is outside the team's district",
                field="village_code",
            )
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
