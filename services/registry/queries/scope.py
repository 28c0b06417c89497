"""What a reader of the registry's internal records may see: ``shared.identity.Reach`` (the
one decision, for every service) with a unit's teams looked up in registry's own tables.
Scopes fail closed: a role with a claim sees that claim's records only."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Reach


@dataclass(frozen=True)
class ReadScope:
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


async def scope_of(conn: asyncpg.Connection, principal: Principal) -> ReadScope:
    reach = Reach.of(principal)
    if reach.unit is not None:
        rows = await conn.fetch("select team_id from registry.unit_team where unit_id = $1", reach.unit)
        return ReadScope(teams=tuple(r["team_id"] for r in rows))
    if reach.team is not None:
        return ReadScope(teams=(reach.team,))
    return ReadScope(district=reach.district)


async def village_teams(conn: asyncpg.Connection, code: str) -> list[str]:
    return [r["team_id"] for r in await conn.fetch("select team_id from registry.village_team where village_code = $1",
                                                   code)]
