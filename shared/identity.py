"""Who acts: roles, the principal a verified token names, and the scope checks on it.

Plain data and rules with no web framework, so the service layer and the domain can take a
``Principal`` without importing FastAPI; ``shared.http.auth`` turns a bearer token into one.
"""

from __future__ import annotations

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


def ensure_district(principal: Principal, district: str) -> None:
    """District officials act only within their own district."""
    if not principal.may_act_in_district(district):
        raise Forbidden(
            f"只能办理本区事务 / you may act only within district {principal.district}", field="district"
        )
