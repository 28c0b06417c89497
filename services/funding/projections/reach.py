"""Which villages a supporting unit or a work team reaches, from registry's team events:
units (lead or partner) and first secretaries read the money of their villages only."""

from __future__ import annotations

import asyncpg

from shared.contracts.registry import TeamAssigned, TeamUnassigned, WorkTeamFormed
from shared.eventstore import RecordedEvent
from shared.projections import Projection


class TeamReach(Projection):
    name = "team_reach"
    sources = ("registry",)
    tables = ("reach.team_units", "reach.team_villages")

    async def when_WorkTeamFormed(self, conn: asyncpg.Connection, event: WorkTeamFormed, recorded: RecordedEvent) -> None:
        await conn.executemany("insert into reach.team_units values ($1, $2) on conflict do nothing",
                               [(event.team_id, unit) for unit in [event.lead_unit_id, *event.partner_unit_ids]])

    async def when_TeamAssigned(self, conn: asyncpg.Connection, event: TeamAssigned, recorded: RecordedEvent) -> None:
        await conn.execute("insert into reach.team_units values ($1, $2) on conflict do nothing",
                           event.team_id, event.lead_unit_id)
        await conn.execute("insert into reach.team_villages values ($1, $2) on conflict do nothing",
                           event.team_id, event.village_code)

    async def when_TeamUnassigned(self, conn: asyncpg.Connection, event: TeamUnassigned,
                                  recorded: RecordedEvent) -> None:
        await conn.execute("delete from reach.team_villages where team_id = $1 and village_code = $2",
                           event.team_id, event.village_code)
