"""Projects and fund flows as of a date, shaped for the IATI activity export."""

from __future__ import annotations

import asyncpg

from services.publicity.domain.asof import AsOf
from services.publicity.queries.facts_sql import history, latest


async def activities(conn: asyncpg.Connection, asof: AsOf) -> dict:
    projects = await conn.fetch(
        f"""select p.key as project_id, p.village, p.district, p.value, v.value->>'name' as village_name,
                   done.value->>'completed_on' as completed_on
            from {latest('project')} p
            left join {latest('village')} v on v.key = p.village
            left join {latest('project_done')} done on done.key = p.key
            order by p.key""",
        asof.cutoff,
    )
    lines = await conn.fetch(
        f"""select l.key as line_id, l.value, coalesce((la.value->>'amount_fen')::bigint,
                   (l.value->>'amount_fen')::bigint) as amount_fen, l.at
            from {latest('line')} l left join {latest('line_amount')} la on la.key = l.key order by l.key""",
        asof.cutoff,
    )
    allocations = await conn.fetch(
        f"""select a.key as allocation_id, a.village, a.value, a.at, v.value->>'name' as village_name,
                   coalesce((aa.value->>'amount_fen')::bigint, (a.value->>'amount_fen')::bigint)
                     - coalesce((ac.value->>'released_fen')::bigint, 0) as amount_fen
            from {latest('allocation')} a
            left join {latest('allocation_amount')} aa on aa.key = a.key
            left join {latest('allocation_cancel')} ac on ac.key = a.key
            left join {latest('village')} v on v.key = a.village
            order by a.key""",
        asof.cutoff,
    )
    # Payments and reversals are flows that happened: a reversed payment stays listed and its
    # reversal follows as a negative disbursement, so the disbursements add up to /stats/money's.
    paid = await conn.fetch(
        f"""select s.key as disbursement_id, s.village, s.value, s.at, d.value->>'project_id' as project_id,
                   v.value->>'name' as village_name
            from {history('disbursement_status', "value->>'status' in ('paid', 'reversed')")} s
            left join {latest('disbursement')} d on d.key = s.key
            left join {latest('village')} v on v.key = s.village
            order by s.key, s.at, s.position""",
        asof.cutoff,
    )
    flows = [{"kind": "commitment", "ref": f"allocation:{a['allocation_id']}", "at": a["at"],
              "amount_fen": a["amount_fen"], "receiver": a["village_name"] or a["village"],
              "project_id": a["value"].get("project_id")} for a in allocations]
    flows += [{"kind": "disbursement", "at": p["at"],
               **({"ref": f"payment:{p['disbursement_id']}", "amount_fen": int(p["value"].get("amount_fen", 0))}
                  if p["value"]["status"] == "paid" else
                  {"ref": f"reversal:{p['disbursement_id']}", "amount_fen": -int(p["value"].get("amount_fen", 0))}),
               "receiver": p["village_name"] or p["village"],
               "project_id": p["project_id"] or p["value"].get("project_id")} for p in paid]
    return {"projects": [dict(r) for r in projects], "lines": [dict(r) for r in lines], "flows": flows}
