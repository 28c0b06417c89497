"""What a reader may see, as SQL filters: everything, one district, or a set of villages."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class ReadScope:
    district: str | None = None  # only this district's villages (and its own lines)
    villages: tuple[str, ...] | None = None  # only these villages (a unit's, a team's); no lines

    @property
    def city_wide(self) -> bool:
        return self.district is None and self.villages is None

    def sees_village(self, code: str, district: str) -> bool:
        if self.villages is not None:
            return code in self.villages
        return self.district is None or self.district == district

    @property
    def village_list(self) -> list[str] | None:
        return list(self.villages) if self.villages is not None else None


# Appended to a query over a table aliased ``t`` with village_code and district columns;
# parameters $1 (district) and $2 (village codes).
VILLAGE_FILTER = "($1::text is null or t.district = $1) and ($2::text[] is null or t.village_code = any($2))"


async def villages_of_unit(conn: asyncpg.Connection, unit_id: str) -> tuple[str, ...]:
    """The villages a supporting unit's teams (as lead or partner) serve."""
    rows = await conn.fetch("""select distinct tv.village_code from reach.team_villages tv
                               join reach.team_units tu using (team_id) where tu.unit_id = $1 order by 1""", unit_id)
    return tuple(r["village_code"] for r in rows)


async def villages_of_team(conn: asyncpg.Connection, team_id: str) -> tuple[str, ...]:
    rows = await conn.fetch("select village_code from reach.team_villages where team_id = $1 order by 1", team_id)
    return tuple(r["village_code"] for r in rows)
