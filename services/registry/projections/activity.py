"""驻村在岗 / who is where: teams, members, villages entered, presence days and approved
leave — what the alerts read. Deterministic: dates come from the events."""

from __future__ import annotations

import asyncpg

from shared.contracts import registry as R
from shared.eventstore import RecordedEvent
from shared.projections import Projection


class ActivityProjection(Projection):
    name = "registry_activity"
    sources = ("registry",)
    tables = ("rg.teams", "rg.memberships", "rg.team_villages", "rg.presence", "rg.leaves")
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

    async def when_WorkTeamFormed(self, conn: asyncpg.Connection, event: R.WorkTeamFormed, _: RecordedEvent) -> None:
        await conn.execute("insert into rg.teams values ($1, $2, $3, $4) on conflict do nothing",
                           event.team_id, event.district or "", event.lead_unit_id, event.first_secretary_id)
        await _join(conn, event.team_id, event.member_ids)

    async def when_TeamMembersChanged(self, conn: asyncpg.Connection, event: R.TeamMembersChanged,
                                      _: RecordedEvent) -> None:
        await conn.execute("delete from rg.memberships where team_id = $1 and cadre_id = any($2::text[])",
                           event.team_id, event.removed)
        await _join(conn, event.team_id, event.added)
        await conn.execute("update rg.teams set first_secretary_id = $2 where team_id = $1",
                           event.team_id, event.first_secretary_id)

    async def when_TeamAssigned(self, conn: asyncpg.Connection, event: R.TeamAssigned, _: RecordedEvent) -> None:
        await conn.execute("insert into rg.team_villages values ($1, $2, $3, null) on conflict do nothing",
                           event.team_id, event.village_code, event.district)

    async def when_TeamUnassigned(self, conn: asyncpg.Connection, event: R.TeamUnassigned, _: RecordedEvent) -> None:
        await conn.execute("delete from rg.team_villages where team_id = $1 and village_code = $2",
                           event.team_id, event.village_code)

    async def when_TeamEnteredVillage(self, conn: asyncpg.Connection, event: R.TeamEnteredVillage,
                                      _: RecordedEvent) -> None:
        await conn.execute("update rg.team_villages set entered_on = $3 where team_id = $1 and village_code = $2",
                           event.team_id, event.village_code, event.entered_on)

    async def when_TeamDissolved(self, conn: asyncpg.Connection, event: R.TeamDissolved, _: RecordedEvent) -> None:
        # Its villages went with the TeamUnassigned before it.
        await conn.execute("delete from rg.memberships where team_id = $1", event.team_id)
        await conn.execute("delete from rg.teams where team_id = $1", event.team_id)

    async def when_CadrePresenceLogged(self, conn: asyncpg.Connection, event: R.CadrePresenceLogged,
                                       _: RecordedEvent) -> None:
        await conn.execute("insert into rg.presence values ($1, $2, $3, $4) on conflict do nothing",
                           event.cadre_id, event.day, event.team_id, event.village_code)

    async def when_LeaveApproved(self, conn: asyncpg.Connection, event: R.LeaveApproved, _: RecordedEvent) -> None:
        await conn.execute("insert into rg.leaves values ($1, $2, $3, $4) on conflict do nothing",
                           event.leave_id, event.cadre_id, event.start, event.end)

    async def when_LeaveCancelled(self, conn: asyncpg.Connection, event: R.LeaveCancelled, _: RecordedEvent) -> None:
        await conn.execute("delete from rg.leaves where cadre_id = $1 and leave_id = $2", event.cadre_id, event.leave_id)


async def _join(conn: asyncpg.Connection, team_id: str, cadre_ids: list[str]) -> None:
    await conn.executemany("insert into rg.memberships values ($1, $2) on conflict (cadre_id) do update "
                           "set team_id = excluded.team_id", [(c, team_id) for c in cadre_ids])
