"""The constraint tables (adapters/migrations/0001_registry.sql), changed in the command's own transaction:
what handlers reach as ``uow.adapter(PgConstraints)`` (``adapters/memory.py`` is its in-memory twin)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from shared.eventstore.errors import Conflict


def village_taken(code: str, team_id: str) -> Conflict:
    return Conflict(f"村 {code} 已由工作队 {team_id} 负责，每村只有一个工作队 / village {code} already has "
                    f"team {team_id}: one team per village", field="village_code")


def cadre_taken(cadre: str, team_id: str, field: str) -> Conflict:
    return Conflict(f"干部 {cadre} 已在工作队 {team_id}，同一时间只能在一个队 / cadre {cadre} is in team {team_id}: "
                    f"one team at a time", field=field)


def unit_full(unit_id: str, teams: Sequence[str], field: str) -> Conflict:
    return Conflict(f"单位 {unit_id} 已选派 2 个工作队（{'、'.join(teams)}），每个单位选派 1–2 个 / "
                    f"unit {unit_id} already takes part in two teams", field=field)


# A row another command wrote after this one looked, or a second row this one asked for:
def village_just_taken() -> Conflict:
    return Conflict("该村刚被其他工作队对接，请刷新 / the village was just assigned to another team", field="village_code")


def cadre_just_taken(field: str) -> Conflict:
    return Conflict("干部刚加入其他工作队，请刷新 / a cadre just joined another team", field=field)


def unit_just_taken() -> Conflict:
    return Conflict("单位刚选派了其他工作队，请重试 / the unit just joined another team; retry", field="lead_unit_id")


def next_slot(slots: Sequence[int]) -> int:
    """A unit's free slot (of two): 1 unless slot 1 is taken."""
    return 1 if not slots or slots[0] == 2 else 2


class PgConstraints:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def teams_of_villages(self, codes: Sequence[str]) -> dict[str, str]:
        rows = await self.conn.fetch(
            "select village_code, team_id from registry.village_team where village_code = any($1::text[])", list(codes))
        return {r["village_code"]: r["team_id"] for r in rows}

    async def link_villages(self, links: Sequence[tuple[str, str, str]]) -> None:
        """(village_code, team_id, district) each; a village already served is a conflict."""
        taken = await self.teams_of_villages([code for code, _, _ in links])
        for code, team_id, _ in links:
            if code in taken and taken[code] != team_id:
                raise village_taken(code, taken[code])
        try:
            await self.conn.executemany(
                "insert into registry.village_team (village_code, team_id, district) values ($1, $2, $3)", links)
        except asyncpg.UniqueViolationError as exc:
            raise village_just_taken() from exc

    async def unlink_villages(self, codes: Sequence[str]) -> dict[str, tuple[str, str]]:
        rows = await self.conn.fetch("delete from registry.village_team where village_code = any($1::text[]) "
                                     "returning village_code, team_id, district", list(codes))
        return {r["village_code"]: (r["team_id"], r["district"]) for r in rows}

    async def teams_of_cadres(self, cadre_ids: Sequence[str]) -> dict[str, str]:
        rows = await self.conn.fetch(
            "select cadre_id, team_id from registry.cadre_team where cadre_id = any($1::text[])", list(cadre_ids))
        return {r["cadre_id"]: r["team_id"] for r in rows}

    async def join_cadres(self, team_id: str, cadre_ids: Sequence[str], field: str) -> None:
        taken = {c: t for c, t in (await self.teams_of_cadres(cadre_ids)).items() if t != team_id}
        if taken:
            raise cadre_taken(*next(iter(taken.items())), field)
        try:
            await self.conn.executemany("insert into registry.cadre_team (cadre_id, team_id) values ($1, $2)",
                                        [(c, team_id) for c in cadre_ids])
        except asyncpg.UniqueViolationError as exc:
            raise cadre_just_taken(field) from exc

    async def leave_cadres(self, team_id: str, cadre_ids: Sequence[str]) -> None:
        await self.conn.execute("delete from registry.cadre_team where team_id = $1 and cadre_id = any($2::text[])",
                                team_id, list(cadre_ids))

    async def take_unit_slots(self, team_id: str, unit_ids: Sequence[str]) -> None:
        """Each unit takes part in at most two teams (as lead or partner)."""
        rows = await self.conn.fetch(
            "select unit_id, slot, team_id from registry.unit_team where unit_id = any($1::text[])", list(unit_ids))
        used: dict[str, list[tuple[int, str]]] = {}
        for r in rows:
            used.setdefault(r["unit_id"], []).append((r["slot"], r["team_id"]))
        inserts = []
        for i, unit_id in enumerate(unit_ids):
            slots = used.get(unit_id, [])
            if len(slots) >= 2:
                raise unit_full(unit_id, [t for _, t in sorted(slots)], "lead_unit_id" if i == 0 else "partner_unit_ids")
            inserts.append((unit_id, next_slot([s for s, _ in slots]), team_id))
        try:
            await self.conn.executemany(
                "insert into registry.unit_team (unit_id, slot, team_id) values ($1, $2, $3)", inserts)
        except asyncpg.UniqueViolationError as exc:
            raise unit_just_taken() from exc

    async def release_team(self, team_id: str) -> None:
        """A dissolved team's places: its units' slots (1–2 teams per unit counts teams that exist),
        its cadres and its villages are free for other teams."""
        await self.conn.execute("delete from registry.unit_team where team_id = $1", team_id)
        await self.conn.execute("delete from registry.cadre_team where team_id = $1", team_id)
        await self.conn.execute("delete from registry.village_team where team_id = $1", team_id)
