"""Reads of the registry's own event store, in the caller's transaction.

Commands that span the whole register (a screening run, a matching proposal, a month's
allowances) read it here rather than from a projection: what they decide must rest on
exactly what had been committed, not on what a worker had caught up with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import asyncpg

from shared.contracts.registry import ScreeningCompleted, ScreeningRankedPage
from shared.eventstore import CATALOGUE

from services.registry.domain.cadres import ApprovedLeaves
from services.registry.domain.matching import TeamProfile, VillageProfile
from services.registry.domain.screening import RegisterState, whole


async def register_state(conn: asyncpg.Connection, before_row: int | None = None) -> RegisterState:
    """Every village's current baseline — or as it stood before event row ``before_row``."""
    rows = await conn.fetch(
        """select type, payload from es.events
           where (type in ('VillageRegistered', 'VillageIncomeCorrected')
                  or (type = 'DesignationRevoked' and payload->>'reason_code' = 'graduated'))
             and ($1::bigint is null or id < $1)
           order by stream_id, stream_version""",
        before_row,
    )
    state = RegisterState()
    for r in rows:
        state.apply(r["type"], r["payload"])
    return state


async def screening_row(conn: asyncpg.Connection, run_id: str | None = None) -> tuple[int, ScreeningCompleted] | None:
    """A run by id, or the latest run (the one in force), whole (its pages' lists put back),
    with the row id of its ``ScreeningCompleted``."""
    row = await conn.fetchrow(
        """select id, stream_id, schema_version, payload from es.events where type = 'ScreeningCompleted'
           and ($1::text is null or stream_id = 'screening-' || $1) order by id desc limit 1""",
        run_id,
    )
    if row is None:
        return None
    summary = CATALOGUE.decode("ScreeningCompleted", row["schema_version"], row["payload"])
    pages = [ScreeningRankedPage.model_validate(r["payload"]) for r in await conn.fetch(
        """select payload from es.events where stream_id = $1 and type = 'ScreeningRankedPage'
           order by stream_version""", row["stream_id"])] if summary.pages else []
    return row["id"], whole(summary, pages)


async def fold(conn: asyncpg.Connection, types: Sequence[str]) -> list[asyncpg.Record]:
    """Every event of ``types``, in the order they were recorded."""
    return await conn.fetch(
        "select type, payload from es.events where type = any($1::text[]) order by id", list(types)
    )


VILLAGE_EVENTS = ("VillageRegistered", "VillageAttributesChanged", "VillageDesignated", "DesignationRevoked")
TEAM_EVENTS = ("UnitRegistered", "UnitAttributesChanged", "WorkTeamFormed", "TeamDissolved")


def unserved(events: Iterable[tuple[str, dict]], served: set[str], districts: Sequence[str]) -> list[VillageProfile]:
    """Folded from ``VILLAGE_EVENTS`` (type, payload) in recorded order: the designated villages of
    ``districts`` (all if empty) that are not ``served``."""
    registered: dict[str, dict] = {}
    designated: set[str] = set()
    for event_type, p in events:
        if event_type == "VillageRegistered":
            registered[p["code"]] = p
        elif event_type == "VillageAttributesChanged":
            registered[p["code"]] = registered[p["code"]] | {k: p[k] for k in ("town", "village_type", "needs")}
        elif event_type == "VillageDesignated":
            designated.add(p["code"])
        else:
            designated.discard(p["code"])
    return [
        VillageProfile(code, p["district"], p["village_type"], frozenset(p.get("needs", ())))
        for code in sorted(designated - served)
        if (p := registered[code]) and (not districts or p["district"] in districts)
    ]


async def unserved_villages(conn: asyncpg.Connection, districts: Sequence[str]) -> list[VillageProfile]:
    """Designated villages of ``districts`` (all if empty) that have no team."""
    events = [(r["type"], r["payload"]) for r in await fold(conn, VILLAGE_EVENTS)]
    served = {r["village_code"] for r in await conn.fetch("select village_code from registry.village_team")}
    return unserved(events, served, districts)


def with_room(events: Iterable[tuple[str, dict]], counts: dict[str, int], districts: Sequence[str]
              ) -> list[TeamProfile]:
    """Folded from ``TEAM_EVENTS`` (type, payload) in recorded order: the teams of ``districts``
    (all if empty) serving fewer than two villages (``counts``: team → villages served)."""
    strengths: dict[str, frozenset[str]] = {}
    teams: dict[str, dict] = {}
    for event_type, p in events:
        if event_type in ("UnitRegistered", "UnitAttributesChanged"):
            strengths[p["unit_id"]] = frozenset(p["strengths"])
        elif event_type == "TeamDissolved":
            teams.pop(p["team_id"], None)
        elif not districts or p["district"] in districts:
            teams[p["team_id"]] = p
    return [
        TeamProfile(
            team_id=team_id, district=p["district"], lead_strengths=strengths.get(p["lead_unit_id"], frozenset()),
            partner_strengths=frozenset().union(*(strengths.get(u, frozenset()) for u in p["partner_unit_ids"])),
            villages=counts.get(team_id, 0),
        )
        for team_id, p in sorted(teams.items())
        if counts.get(team_id, 0) < 2
    ]


async def team_profiles(conn: asyncpg.Connection, districts: Sequence[str]) -> list[TeamProfile]:
    """Teams of ``districts`` (all if empty) with room for another village."""
    events = [(r["type"], r["payload"]) for r in await fold(conn, TEAM_EVENTS)]
    counts = dict(await conn.fetch("select team_id, count(*) from registry.village_team group by team_id"))
    return with_room(events, counts, districts)


async def registered_cadres(conn: asyncpg.Connection) -> list[str]:
    return [r["id"] for r in await conn.fetch(
        "select payload->>'cadre_id' as id from es.events where type = 'CadreRegistered' order by id"
    )]


async def presence_days(conn: asyncpg.Connection, cadre_ids: Sequence[str], month: str) -> dict[str, int]:
    """Days each cadre checked in during ``month``, from the cadre-month streams."""
    streams = {f"presence-{c}-{month}": c for c in cadre_ids}
    rows = await conn.fetch(
        """select stream_id, count(*) as days from es.events
           where stream_id = any($1::text[]) and type = 'CadrePresenceLogged' group by stream_id""",
        list(streams),
    )
    return {streams[r["stream_id"]]: r["days"] for r in rows}


LEAVE_EVENTS = ("LeaveRequested", "LeaveApproved", "LeaveRejected", "LeaveCancelled")


async def cadres_on_record(conn: asyncpg.Connection, cadre_ids: Sequence[str], first: date, last: date
                           ) -> dict[str, ApprovedLeaves]:
    """Those of ``cadre_ids`` whose stream exists, each with its approved leaves that meet the days
    ``first``..``last`` — what ``Cadre`` would fold, in one statement that sends back only that.

    A leave is approved when its latest event is ``LeaveApproved`` (a request, then an approval,
    or an approval alone in older data; rejection and withdrawal come after, never before)."""
    streams = [f"cadre-{c}" for c in cadre_ids]
    rows = await conn.fetch(
        """select stream_id, null::date as start_day, null::date as end_day from es.events
           where stream_id = any($1::text[]) and stream_version = 1
           union all
           select stream_id, (payload->>'start')::date, (payload->>'end')::date from (
               select distinct on (stream_id, payload->>'leave_id') stream_id, type, payload from es.events
               where stream_id = any($1::text[]) and type = any($2::text[])
               order by stream_id, payload->>'leave_id', stream_version desc) latest
           where type = 'LeaveApproved' and (payload->>'start')::date <= $4 and (payload->>'end')::date >= $3""",
        streams, list(LEAVE_EVENTS), first, last,
    )
    spans: dict[str, list[tuple[date, date]]] = {}
    for r in rows:
        found = spans.setdefault(r["stream_id"].removeprefix("cadre-"), [])
        if r["start_day"] is not None:
            found.append((r["start_day"], r["end_day"]))
    return {c: ApprovedLeaves(tuple(sorted(s))) for c, s in spans.items()}


async def registered_villages(conn: asyncpg.Connection, codes: Sequence[str]) -> set[str]:
    """Those of ``codes`` that are registered already."""
    return {r["stream_id"].removeprefix("village-") for r in await conn.fetch(
        "select distinct stream_id from es.events where stream_id = any($1::text[])",
        [f"village-{code}" for code in codes])}


async def run_in_force(conn: asyncpg.Connection) -> str | None:
    """The latest screening run's id: the one in force (every later run must supersede it)."""
    return await conn.fetchval(
        """select payload->>'run_id' from es.events where type = 'ScreeningCompleted' order by id desc limit 1""")


class PgEventLog:
    """What the handlers read of registry's own event store, in the command's transaction:
    ``uow.adapter(PgEventLog)`` (``adapters/memory.py`` has its in-memory twin, over the unit of
    work's streams)."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def register_state(self) -> RegisterState:
        return await register_state(self.conn)

    async def screening_head(self) -> ScreeningCompleted | None:
        """The run in force, whole."""
        found = await screening_row(self.conn)
        return found[1] if found else None

    async def run_in_force(self) -> str | None:
        return await run_in_force(self.conn)

    async def registered_cadres(self) -> list[str]:
        return await registered_cadres(self.conn)

    async def presence_days(self, cadre_ids: Sequence[str], month: str) -> dict[str, int]:
        return await presence_days(self.conn, cadre_ids, month)

    async def cadres_on_record(self, cadre_ids: Sequence[str], first: date, last: date) -> dict[str, ApprovedLeaves]:
        return await cadres_on_record(self.conn, cadre_ids, first, last)

    async def team_profiles(self, districts: Sequence[str]) -> list[TeamProfile]:
        return await team_profiles(self.conn, districts)

    async def unserved_villages(self, districts: Sequence[str]) -> list[VillageProfile]:
        return await unserved_villages(self.conn, districts)
