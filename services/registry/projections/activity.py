"""驻村在岗 / who is where: teams, members, villages entered, presence days and approved
leave — what the alerts read. Deterministic: dates come from the payloads."""

from __future__ import annotations

from datetime import date

import asyncpg

from shared.eventstore import RecordedEvent
from shared.projections import Projection


class ActivityProjection(Projection):
    name = "registry_activity"
    sources = ("registry",)
    tables = ("rg.teams", "rg.memberships", "rg.team_villages", "rg.presence", "rg.leaves")
    handles = frozenset({"WorkTeamFormed", "TeamMembersChanged", "TeamAssigned", "TeamUnassigned",
                         "TeamEnteredVillage", "TeamDissolved", "CadrePresenceLogged", "LeaveApproved",
                         "LeaveCancelled"})
    schema_sql = """
    create schema if not exists rg;
    create table if not exists rg.teams (
        team_id       text primary key,
        district      text not null,
        lead_unit_id  text not null,
        first_secretary_id text not null
    );
    create table if not exists rg.memberships (
        cadre_id  text primary key,
        team_id   text not null
    );
    create table if not exists rg.team_villages (
        team_id       text not null,
        village_code  text not null,
        district      text not null,
        entered_on    date,
        primary key (team_id, village_code)
    );
    create table if not exists rg.presence (
        cadre_id      text not null,
        day           date not null,
        team_id       text not null,
        village_code  text not null,
        primary key (cadre_id, day)
    );
    create index if not exists presence_village_day on rg.presence (village_code, day);
    create table if not exists rg.leaves (
        leave_id  text not null,
        cadre_id  text not null,
        start_on  date not null,
        end_on    date not null,
        primary key (cadre_id, leave_id)
    );
    """

    async def apply(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.payload
        match event.type:
            case "WorkTeamFormed":
                await conn.execute(
                    "insert into rg.teams values ($1, $2, $3, $4) on conflict do nothing",
                    p["team_id"], p.get("district") or "", p["lead_unit_id"], p["first_secretary_id"],
                )
                await conn.executemany("insert into rg.memberships values ($1, $2) on conflict (cadre_id) do update "
                                       "set team_id = excluded.team_id", [(c, p["team_id"]) for c in p["member_ids"]])
            case "TeamMembersChanged":
                await conn.execute("delete from rg.memberships where team_id = $1 and cadre_id = any($2::text[])",
                                   p["team_id"], p["removed"])
                await conn.executemany("insert into rg.memberships values ($1, $2) on conflict (cadre_id) do update "
                                       "set team_id = excluded.team_id", [(c, p["team_id"]) for c in p["added"]])
                await conn.execute("update rg.teams set first_secretary_id = $2 where team_id = $1",
                                   p["team_id"], p["first_secretary_id"])
            case "TeamAssigned":
                await conn.execute("insert into rg.team_villages values ($1, $2, $3, null) on conflict do nothing",
                                   p["team_id"], p["village_code"], p["district"])
            case "TeamUnassigned":
                await conn.execute("delete from rg.team_villages where team_id = $1 and village_code = $2",
                                   p["team_id"], p["village_code"])
            case "TeamEnteredVillage":
                await conn.execute("update rg.team_villages set entered_on = $3 where team_id = $1 and village_code = $2",
                                   p["team_id"], p["village_code"], _date(p["entered_on"]))
            case "TeamDissolved":  # its villages went with the TeamUnassigned before it
                await conn.execute("delete from rg.memberships where team_id = $1", p["team_id"])
                await conn.execute("delete from rg.teams where team_id = $1", p["team_id"])
            case "CadrePresenceLogged":
                await conn.execute("insert into rg.presence values ($1, $2, $3, $4) on conflict do nothing",
                                   p["cadre_id"], _date(p["day"]), p["team_id"], p["village_code"])
            case "LeaveApproved":
                await conn.execute("insert into rg.leaves values ($1, $2, $3, $4) on conflict do nothing",
                                   p["leave_id"], p["cadre_id"], _date(p["start"]), _date(p["end"]))
            case "LeaveCancelled":
                await conn.execute("delete from rg.leaves where cadre_id = $1 and leave_id = $2",
                                   p["cadre_id"], p["leave_id"])


def _date(text: str) -> date:
    return date.fromisoformat(text)
