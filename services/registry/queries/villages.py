"""Villages as the API shows them: the directory, one village now, its whole history."""

from __future__ import annotations

from shared.eventstore import NotFound, UnitOfWork
from shared.money import yuan

from services.registry.adapters.constraints import PgConstraints
from services.registry.domain.commands import YEARS
from services.registry.domain.screening import average_fen
from services.registry.domain.village import Village
from services.registry.queries.scope import ReadScope, village_teams


async def directory(uow: UnitOfWork, district: str | None, designated: bool | None, limit: int,
                    after: str | None) -> dict:
    rows = await uow.conn.fetch(
        """select code, name, district, town, village_type, designated from directory.villages
           where ($1::text is null or district = $1) and ($2::text is null or code > $2)
             and ($4::boolean is null or designated = $4)
           order by code limit $3""",
        district, after, limit, designated,
    )
    items = [dict(r) for r in rows]
    return {"items": items, "next_after": items[-1]["code"] if len(items) == limit else None}


async def village(uow: UnitOfWork, code: str) -> dict:
    village = await uow.load(Village, code)
    village.require_exists()
    team = (await uow.adapter(PgConstraints).teams_of_villages([code])).get(code)
    return {
        "code": code, "name": village.name, "district": village.district, "town": village.town,
        "village_type": village.village_type,
        "needs": village.needs, "income_yuan": {y: yuan(village.income_fen[y]) for y in YEARS},
        "average_yuan": yuan(average_fen(village.income_fen)), "designated": village.designated_by is not None,
        "designated_by_run": village.designated_by, "rank": village.rank, "team_id": team,
        "stream_version": village.version,
    }


async def history(uow: UnitOfWork, code: str, reach: ReadScope = ReadScope()) -> dict:
    """A village's events, for a reader whose scope holds the village (its district, or a team serving it)."""
    events = await uow.store.read_stream(uow.conn, f"village-{code}")
    if not events:
        raise NotFound(f"未找到村 {code} / village {code} not found", field="code")
    if not reach.everything:
        reach.require(events[0].payload.get("district"), await village_teams(uow.conn, code), "code")
    return {"code": code, "events": [e.model_dump(mode="json") for e in events]}
