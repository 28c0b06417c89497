"""What a reader of the registry's internal records may see: the whole city, one district, or
a few teams. Scopes fail closed: a role with a claim sees that claim's records only.

The city office and city-level finance officers, assessors and inspectors (no district
claim) see everything; a district official, or a finance officer, assessor or inspector with
a district, sees that district; a unit sees the teams it leads or joins, a first secretary
their own team (and, through them, the villages those teams serve).
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Role


@dataclass(frozen=True)
class Reach:
    district: str | None = None  # only this district
    teams: tuple[str, ...] | None = None  # only these teams (a unit's, a first secretary's)

    @property
    def everything(self) -> bool:
        return self.district is None and self.teams is None

    def sees(self, district: str | None, teams: set[str] | list[str] | tuple[str, ...] = ()) -> bool:
        if self.teams is not None:
            return bool(set(self.teams) & set(teams))
        return self.district is None or self.district == district

    def require(self, district: str | None, teams: set[str] | list[str] | tuple[str, ...], field: str) -> None:
        if not self.sees(district, teams):
            raise Forbidden("不在所辖范围内 / outside your scope (district, unit or team)", field=field)


async def reach_of(conn: asyncpg.Connection, principal: Principal) -> Reach:
    role = principal.role
    if role is Role.unit:
        rows = await conn.fetch("select team_id from registry.unit_team where unit_id = $1", principal.unit)
        return Reach(teams=tuple(r["team_id"] for r in rows))
    if role is Role.first_secretary:
        return Reach(teams=(principal.team,))  # type: ignore[arg-type]  # required by current_principal
    if role is not Role.city_office and principal.district is not None:
        return Reach(district=principal.district)
    return Reach()


async def village_teams(conn: asyncpg.Connection, code: str) -> list[str]:
    return [r["team_id"] for r in await conn.fetch("select team_id from registry.village_team where village_code = $1",
                                                   code)]
