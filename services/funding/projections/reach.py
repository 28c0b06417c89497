"""Which villages a supporting unit or a work team reaches, from registry's team events:
units (lead or partner) and first secretaries read the money of their villages only."""

from __future__ import annotations

import asyncpg

from shared.eventstore import RecordedEvent
from shared.projections import Projection


class TeamReach(Projection):
    name = "team_reach"
    sources = ("registry",)
    tables = ("reach.team_units", "reach.team_villages")
    schema_sql = """
    create schema if not exists reach;
    create table if not exists reach.team_units (
        team_id  text not null,
        unit_id  text not null,
        primary key (team_id, unit_id)
    );
    create index if not exists team_units_unit on reach.team_units (unit_id);
    create table if not exists reach.team_villages (
        team_id       text not null,
        village_code  text not null,
        primary key (team_id, village_code)
    );
    """

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.payload
        if event.type == "WorkTeamFormed":
            await conn.executemany(
                "insert into reach.team_units values ($1, $2) on conflict do nothing",
                [(p["team_id"], unit) for unit in [p["lead_unit_id"], *p.get("partner_unit_ids", [])]],
            )
        elif event.type == "TeamAssigned":
            await conn.execute("insert into reach.team_units values ($1, $2) on conflict do nothing",
                               p["team_id"], p["lead_unit_id"])
            await conn.execute("insert into reach.team_villages values ($1, $2) on conflict do nothing",
                               p["team_id"], p["village_code"])
        elif event.type == "TeamUnassigned":
            await conn.execute("delete from reach.team_villages where team_id = $1 and village_code = $2",
                               p["team_id"], p["village_code"])
