"""一村一档 / a village's whole story as of a date: designation, team, money, projects, income, cover."""

from __future__ import annotations

import asyncpg

from shared.reference.places import DISTRICTS, VILLAGE_TYPE_LABELS, VillageType
from shared.reference.tasks import INCOME_TARGET_FEN, TASK_NAMES

from shared.money import yuan

from services.publicity.domain.asof import AsOf
from services.publicity.queries.facts_sql import STANDS, current, latest
from services.publicity.queries.figures import Scope, by_key, grouped, total
from services.publicity.queries.low_income import COVERS
from services.publicity.queries.money import FIGURES


async def search(conn: asyncpg.Connection, q: str, limit: int) -> list[dict]:
    rows = await conn.fetch(
        f"""select v.code, v.name, v.district, v.town,
                  coalesce(({current('designation', 'v.code')}->>'designated')::boolean, false) as designated
           from stats.villages v
           where v.code like $1 || '%' or v.name like '%' || $1 || '%' or v.town like '%' || $1 || '%'
           order by v.code limit $2""",
        q, limit,
    )
    return [dict(r) | {"district_name": DISTRICTS.get(r["district"])} for r in rows]


async def _designation(conn, code: str, asof: AsOf) -> dict:
    d = await conn.fetchrow(f"select value, at from {latest('designation')} d where d.key = $2", asof.cutoff, code)
    rank = await conn.fetchrow(
        f"""select r.rank, r.run_id, r.designated, (s.value->>'cutoff_average_fen')::bigint as cutoff
            from stats.ranked r join {latest('screening')} s on s.key = r.run_id
            where r.code = $2 order by s.at desc, s.position desc limit 1""",
        asof.cutoff, code,
    )
    ended = d is not None and not d["value"].get("designated")
    met = d["value"].get("met_target") if ended else None
    return {
        "designated": bool(d and d["value"].get("designated")),
        "since": d["at"].isoformat() if d and d["value"].get("designated") else None,
        "run_id": d["value"].get("run_id") if d else None,
        # Why the designation ended: rescreened (a later run left it out) or graduated (达标出列).
        "ended": {"on": d["at"].isoformat(), "reason_code": d["value"].get("reason_code") or "rescreened",
                  "reason": d["value"].get("reason"),
                  "met_target": {"year": met["year"], "income_yuan": yuan(met["income_fen"])} if met else None}
        if ended else None,
        "rank": rank["rank"] if rank else None,
        "screening_run": rank["run_id"] if rank else None,
        "cutoff_average_yuan": yuan(rank["cutoff"]) if rank and rank["cutoff"] is not None else None,
    }


async def _teams(conn, code: str, asof: AsOf) -> list[dict]:
    rows = await conn.fetch(
        f"""select a.value->>'team_id' as team_id, t.value->>'lead_unit_id' as unit_id, u.value->>'name' as unit,
                   e.value->>'entered_on' as entered_on, tr.key is not null as secretary_trained,
                   (select count(*) from {latest('member', "(value->>'active')::boolean")} m
                     where m.value->>'team_id' = a.value->>'team_id') as members
            from {latest('assignment', "(value->>'active')::boolean")} a
            left join {latest('team')} t on t.key = a.value->>'team_id'
            left join {latest('unit')} u on u.key = t.value->>'lead_unit_id'
            left join {latest('entered')} e on e.key = a.key
            left join {latest('secretary')} s on s.key = a.value->>'team_id'
            left join {latest('trained')} tr on tr.key = s.value->>'cadre_id'
            where a.village = $2 order by 1""",
        asof.cutoff, code,
    )
    return [{"team_id": r["team_id"], "lead_unit": r["unit"], "lead_unit_id": r["unit_id"],
             "entered_on": r["entered_on"], "first_secretary_trained": r["secretary_trained"],
             "members": r["members"]} for r in rows]


async def _projects(conn, code: str, asof: AsOf) -> list[dict]:
    rows = await conn.fetch(
        f"""select p.key, p.value, done.value->>'completed_on' as completed_on,
                   (select count(*) from {latest('milestone')} m where m.value->>'project_id' = p.key) as milestones,
                   (select count(*) from {latest('milestone_state', "value->>'state' = 'verified'")} s
                     where s.value->>'project_id' = p.key) as verified,
                   (select count(*) from {latest('milestone')} m
                     left join {latest('milestone_state')} s on s.key = m.key
                     where m.value->>'project_id' = p.key and (m.value->>'due_on')::date < $2
                       and coalesce(s.value->>'state', '') <> 'verified') as overdue,
                   exists (select 1 from {latest('milestone_state')} s where s.value->>'project_id' = p.key
                           and s.value->>'state' in ('reported', 'verified')) as started
            from {latest('project')} p left join {latest('project_done')} done on done.key = p.key
            where p.village = $3 order by p.key""",
        asof.cutoff, asof.day, code,
    )
    out = []
    for r in rows:
        v = r["value"]
        status = ("done" if r["completed_on"] else "in_progress"
                  if r["started"] or (v.get("planned_start") or "9999") <= asof.day.isoformat() else "planned")
        task = v.get("task_no")
        out.append({"project_id": r["key"], "title": v.get("title"), "task_no": task,
                    "task": TASK_NAMES.get(task, ("", ""))[0] if task else None, "status": status,
                    "planned_start": v.get("planned_start"), "planned_end": v.get("planned_end"),
                    "milestones": r["milestones"], "milestones_verified": r["verified"],
                    "milestones_overdue": 0 if r["completed_on"] else r["overdue"]})
    return out


async def _income(conn, code: str, asof: AsOf) -> list[dict]:
    rows = await conn.fetch(
        f"""select y.year, i.value as collective, f.value as farmer from
              (select value->>'year' as year from {latest('income', STANDS)} x where x.village = $2
               union select value->>'year' from {latest('farmer_income', STANDS)} x where x.village = $2) y
            left join {latest('income', STANDS)} i on i.key = $2 || ':' || y.year
            left join {latest('farmer_income', STANDS)} f on f.key = $2 || ':' || y.year
            order by y.year""",
        asof.cutoff, code,
    )
    return [{"year": int(r["year"]),
             "collective_yuan": yuan(r["collective"]["income_fen"]) if r["collective"] else None,
             "at_target": r["collective"]["income_fen"] >= INCOME_TARGET_FEN if r["collective"] else None,
             "farmer_per_capita_yuan": yuan(r["farmer"]["per_capita_fen"]) if r["farmer"] else None}
            for r in rows]


async def story(conn: asyncpg.Connection, code: str, asof: AsOf) -> dict | None:
    village = await conn.fetchrow(
        f"""select v.value || coalesce(va.value, '{{}}'::jsonb) as value, v.district, v.at
            from {latest('village')} v left join {latest('village_attributes')} va on va.key = v.key
            where v.key = $2""", asof.cutoff, code
    )
    if village is None:
        return None
    v = village["value"]  # town, type and needs as last edited
    baseline = dict(v.get("income_fen") or {}) | {r["year"]: r["fen"] for r in await conn.fetch(
        f"""select b.value->>'year' as year, (b.value->>'income_fen')::bigint as fen
            from {latest('baseline')} b where b.village = $2""", asof.cutoff, code)}
    scope = Scope(village=code)
    money = {f: yuan(await total(conn, f, asof, scope)) for f in FIGURES if f != "appropriated"}
    by_task = await by_key(conn, "disbursed", asof, "task", scope)
    cover = await grouped(conn, "low_income_eligible", asof, ("cover", "covered"), scope)
    vtype = v.get("village_type")
    return {
        "code": code, "name": v.get("name"), "district": village["district"],
        "district_name": DISTRICTS.get(village["district"]), "town": v.get("town"),
        "village_type": vtype, "village_type_name": VILLAGE_TYPE_LABELS.get(VillageType(vtype)) if vtype in
        VillageType._value2member_map_ else None,
        "registered_at": village["at"].isoformat(),
        # As registered, with the corrections (VillageIncomeCorrected) made by then.
        "baseline_yuan": {y: yuan(f) for y, f in sorted(baseline.items())},
        "baseline_average_yuan": yuan(sum(baseline.values()) // len(baseline) if baseline else 0),
        "designation": await _designation(conn, code, asof),
        "teams": await _teams(conn, code, asof),
        "money": money | {"disbursed_by_task": {k: yuan(x) for k, x in sorted(by_task.items()) if k}},
        "projects": await _projects(conn, code, asof),
        "income": await _income(conn, code, asof),
        "low_income": [{"cover": c, "name": name,
                        "eligible": sum(int(r["value"]) for r in cover if r["cover"] == c),
                        "covered": sum(int(r["value"]) for r in cover if r["cover"] == c and r["covered"] == "yes")}
                       for c, name in COVERS.items()],
    }
