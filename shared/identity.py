"""Who acts: roles, the principal a verified token names, and the scope checks on it.

Plain data and rules with no web framework, so the service layer and the domain can take a
``Principal`` without importing FastAPI; ``shared.http.auth`` turns a bearer token into one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from shared.eventstore.errors import Forbidden


class Role(StrEnum):
    city_office = "city_office"  # 领导小组办公室
    district_official = "district_official"  # 区、镇干部
    unit = "unit"  # 扶持单位
    first_secretary = "first_secretary"  # 第一书记 / 驻村工作队
    finance_officer = "finance_officer"  # 财政
    assessor = "assessor"  # 考核
    inspector = "inspector"  # 督导
    public = "public"


class Principal(BaseModel):
    subject: str
    role: Role
    district: str | None = None  # district code, for district officials and finance officers
    unit: str | None = None
    team: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.role.value}:{self.subject}"

    def may_act_in_district(self, district: str) -> bool:
        return self.role is Role.city_office or (self.district is not None and self.district == district)


# The scope claim each scoped role's token must carry. A token of such a role without it is
# refused on every route (403): never read as "the whole city". Finance officers, assessors
# and inspectors are city-level without a district claim (the city finance bureau, the
# city's assessors) and district-level with one.
SCOPE_CLAIMS: dict[Role, str] = {
    Role.district_official: "district",
    Role.unit: "unit",
    Role.first_secretary: "team",
}


def missing_scope(principal: Principal) -> str | None:
    """The scope claim the principal's role needs and its token lacks, if any."""
    claim = SCOPE_CLAIMS.get(principal.role)
    return claim if claim is not None and not getattr(principal, claim) else None


def require_scope(principal: Principal) -> None:
    """Refuse (403) a token of a scoped role that lacks its scope claim."""
    if (claim := missing_scope(principal)) is not None:
        raise Forbidden(f"令牌未注明所辖范围（{claim}），不予办理 / the token names no {claim}: a "
                        f"{principal.role.value} without one may do nothing", field="Authorization", location="header")


@dataclass(frozen=True)
class Reach:
    """Where a principal may see (BRIEF §4), decided here once for every service: the whole
    city, one district, a unit's teams or a first secretary's team — and, through those teams,
    the villages they serve, which each service looks up in the read model it keeps.

    The city office sees everything; whoever's token names a district (a district official; a
    district's finance officer, assessor or inspector) that district; a unit its teams, a first
    secretary their own; city-level finance officers, assessors and inspectors (no district
    claim) everything. It fails closed: a scoped role's token without its claim is refused,
    never read as the whole city. Reach says where, not whether: routes admit roles first."""

    district: str | None = None
    unit: str | None = None  # the teams this unit leads or joins
    team: str | None = None  # this first secretary's team

    @classmethod
    def of(cls, principal: Principal) -> Reach:
        require_scope(principal)
        if principal.role is Role.city_office:
            return cls()
        if principal.role is Role.unit:
            return cls(unit=principal.unit)
        if principal.role is Role.first_secretary:
            return cls(team=principal.team)
        return cls(district=principal.district)

    @property
    def city_wide(self) -> bool:
        return self.district is None and self.unit is None and self.team is None

    @property
    def by_teams(self) -> bool:
        """A unit's or a first secretary's: places are seen through teams, never a whole district."""
        return self.unit is not None or self.team is not None

    def covers(self, district: str | None) -> bool:
        """A whole district: the city covers every one, a district itself, teams none."""
        return self.city_wide or (self.district is not None and self.district == district)


def ensure_district(principal: Principal, district: str) -> None:
    """District officials act only within their own district."""
    if not principal.may_act_in_district(district):
        raise Forbidden(
            f"只能办理本区事务 / you may act only within district {principal.district}", field="district"
        )
