"""驻村在岗 / who is where: teams, members, villages entered, presence days and approved
leave — what the alerts read. Deterministic: dates come from the events."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.contracts import registry as R
from shared.eventstore import RecordedEvent
from shared.projections import Projection
from shared.projections.projection import runs_of


class ActivityProjection(Projection):
    name = "registry_activity"
    sources = ("registry",)
    tables = ("rg.teams", "rg.memberships", "rg.team_villages", "rg.presence", "rg.leaves")

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

    async def apply_batch(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent]) -> None:
        for run, check_ins in runs_of(R.CadrePresenceLogged, events):
            if check_ins is None:
                await self.apply(conn, run[0])
            else:
                await _present(conn, check_ins)

    async def when_CadrePresenceLogged(self, conn: asyncpg.Connection, event: R.CadrePresenceLogged,
                                       _: RecordedEvent) -> None:
        await _present(conn, [event])

    async def when_LeaveApproved(self, conn: asyncpg.Connection, event: R.LeaveApproved, _: RecordedEvent) -> None:
        await conn.execute("insert into rg.leaves values ($1, $2, $3, $4) on conflict do nothing",
                           event.leave_id, event.cadre_id, event.start, event.end)

    async def when_LeaveCancelled(self, conn: asyncpg.Connection, event: R.LeaveCancelled, _: RecordedEvent) -> None:
        await conn.execute("delete from rg.leaves where cadre_id = $1 and leave_id = $2", event.cadre_id, event.leave_id)


async def _join(conn: asyncpg.Connection, team_id: str, cadre_ids: list[str]) -> None:
    await conn.executemany("insert into rg.memberships values ($1, $2) on conflict (cadre_id) do update "
                           "set team_id = excluded.team_id", [(c, team_id) for c in cadre_ids])


async def _present(conn: asyncpg.Connection, check_ins: list[R.CadrePresenceLogged]) -> None:
    await conn.executemany("insert into rg.presence values ($1, $2, $3, $4) on conflict do nothing",
                           [(e.cadre_id, e.day, e.team_id, e.village_code) for e in check_ins])
