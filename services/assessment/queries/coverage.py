"""应保尽保缺口 / the gap list: everyone eligible for a cover but not covered, as of a day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import asyncpg

from services.assessment.domain.coverage import COVERS
from services.assessment.queries.scope import ReadScope


async def gaps(conn: asyncpg.Connection, day: date, district: str | None, village_code: str | None,
               scope: ReadScope) -> dict:
    within, params = scope.where(4, district="c.district", village="c.village_code")
    rows = await conn.fetch(
        f"""select c.person_id, p.household_id, c.village_code, c.district, c.cover,
                  (array_agg(c.step order by c.position desc) filter (where c.step in ('eligible', 'ineligible')))[1]
                      = 'eligible' as eligible,
                  coalesce((array_agg(c.step order by c.position desc)
                      filter (where c.step in ('covered', 'ended')))[1] = 'covered', false) as covered,
                  max(c.on_day) filter (where c.step = 'eligible') as eligible_since
           from af.cover_steps c join af.persons p using (person_id)
           where c.on_day <= $1 and ($2::text is null or c.district = $2) and ($3::text is null or c.village_code = $3)
             and {within}
           group by c.person_id, p.household_id, c.village_code, c.district, c.cover
           order by c.village_code, c.person_id, c.cover""",
        day, district, village_code, *params)
    totals = {cover: {"eligible": 0, "covered": 0, "gaps": 0} for cover in COVERS}
    by_village: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if not r["eligible"]:
            continue
        totals[r["cover"]]["eligible"] += 1
        if r["covered"]:
            totals[r["cover"]]["covered"] += 1
            continue
        totals[r["cover"]]["gaps"] += 1
        by_village[r["village_code"]].append({"person_id": r["person_id"], "household_id": r["household_id"],
                                              "cover": r["cover"], "eligible_since": r["eligible_since"].isoformat()})
    return {"as_of": day.isoformat(), "district": district, "village_code": village_code, "by_cover": totals,
            "gaps_total": sum(t["gaps"] for t in totals.values()),
            "villages": [{"village_code": code, "gaps": items} for code, items in sorted(by_village.items())]}
