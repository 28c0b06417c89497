"""督导问题查询 / inspection findings as of a day: open, rectified, overdue."""

from __future__ import annotations

from datetime import date

import asyncpg

from services.assessment.queries.scope import ReadScope


async def findings(conn: asyncpg.Connection, day: date, district: str | None, target_id: str | None,
                   overdue_only: bool, limit: int, offset: int, scope: ReadScope) -> dict:
    within, params = scope.where(7, district="f.district", target=("f.target_kind", "f.target_id"))
    rows = await conn.fetch(
        f"""select * from (
               select f.inspection_id, f.finding_id, f.target_kind, f.target_id, f.district, f.text, f.deadline,
                      f.inspected_on,
                      coalesce((select s.step from af.finding_steps s
                                where s.inspection_id = f.inspection_id and s.finding_id = f.finding_id
                                  and s.on_day <= $1 order by s.position desc limit 1), 'open') as status
               from af.findings f
               where f.inspected_on <= $1 and ($2::text is null or f.district = $2)
                 and ($3::text is null or f.target_id = $3) and {within}) x
           where not $4 or (status <> 'accepted' and deadline < $1)
           order by deadline, inspection_id, finding_id limit $5 offset $6""",
        day, district, target_id, overdue_only, limit, offset, *params)
    items = []
    for r in rows:
        item = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
        item["overdue"] = r["status"] != "accepted" and r["deadline"] < day
        item["days_overdue"] = (day - r["deadline"]).days if item["overdue"] else 0
        items.append(item)
    return {"as_of": day.isoformat(), "items": items}
