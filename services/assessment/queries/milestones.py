"""项目进度查询 / projects and milestones as of a day, from the facts read model."""

from __future__ import annotations

from datetime import date

import asyncpg

from services.assessment.queries.scope import ReadScope

STATUS_AS_OF = """coalesce((select s.step from af.milestone_steps s
    where s.project_id = m.project_id and s.milestone_id = m.milestone_id and s.on_day <= $1
    order by s.position desc limit 1), 'planned')"""
VERIFIED_ON = """(select min(s.on_day) from af.milestone_steps s
    where s.project_id = m.project_id and s.milestone_id = m.milestone_id and s.step = 'verified' and s.on_day <= $1)"""
# Re-plans and cancellations as of the day (af.milestone_changes).
DUE = """coalesce((select c.due_on from af.milestone_changes c
    where c.project_id = m.project_id and c.milestone_id = m.milestone_id and c.change = 'replanned'
      and c.on_day <= $1 order by c.position desc limit 1), m.due_on)"""
CANCELLED = """exists (select 1 from af.milestone_changes c
    where c.project_id = m.project_id and c.milestone_id = m.milestone_id and c.change = 'cancelled' and c.on_day <= $1)"""
PROJECT_CANCELLED = """exists (select 1 from af.milestone_changes c
    where c.project_id = p.project_id and c.change = 'project_cancelled' and c.on_day <= $1)"""


async def overdue(conn: asyncpg.Connection, day: date, district: str | None, village_code: str | None,
                  limit: int, offset: int, scope: ReadScope) -> dict:
    """Milestones past their due date and not verified by ``day`` (flagged from the day after)."""
    within, params = scope.where(6, district="m.district", village="m.village_code")
    rows = await conn.fetch(
        f"""select m.project_id, m.milestone_id, m.village_code, m.district, p.action_code, m.task_no,
                   p.title as project_title, m.title, {DUE} as due_on, {STATUS_AS_OF} as status,
                   $1::date - {DUE} as days_overdue, count(*) over () as total
            from af.milestones m join af.projects p using (project_id)
            where {DUE} < $1 and {VERIFIED_ON} is null and p.on_day <= $1 and not {CANCELLED}
              and ($2::text is null or m.district = $2) and ($3::text is null or m.village_code = $3)
              and {within}
            order by 9, m.project_id, m.milestone_id limit $4 offset $5""",
        day, district, village_code, limit, offset, *params)
    return {"as_of": day.isoformat(), "total": rows[0]["total"] if rows else 0,
            "items": [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items() if k != "total"}
                      for r in rows]}


async def summary(conn: asyncpg.Connection, day: date, district: str | None, scope: ReadScope) -> dict:
    """Per action and task: projects planned / in progress / done, and overdue milestones."""
    within, params = scope.where(3, district="m.district", village="m.village_code")
    rows = await conn.fetch(
        f"""with ms as (
                select m.project_id, {STATUS_AS_OF} as status, {DUE} < $1 and {VERIFIED_ON} is null as late
                from af.milestones m join af.projects p using (project_id)
                where p.on_day <= $1 and ($2::text is null or m.district = $2)
                  and not {CANCELLED} and not {PROJECT_CANCELLED}
                  and {within}),
            per_project as (
                select p.action_code, p.task_no, p.project_id,
                       bool_and(ms.status = 'verified') as done, bool_or(ms.status <> 'planned') as started,
                       count(*) filter (where ms.late) as overdue
                from af.projects p join ms using (project_id) group by p.action_code, p.task_no, p.project_id)
            select action_code, task_no, count(*) as projects,
                   count(*) filter (where done) as done,
                   count(*) filter (where started and not done) as in_progress,
                   count(*) filter (where not started) as planned,
                   sum(overdue)::int as overdue_milestones
            from per_project group by action_code, task_no order by task_no""",
        day, district, *params)
    return {"as_of": day.isoformat(), "district": district, "tasks": [dict(r) for r in rows]}


async def projects(conn: asyncpg.Connection, day: date, district: str | None, village_code: str | None,
                   task_no: int | None, limit: int, after: str | None, scope: ReadScope) -> dict:
    within, params = scope.where(7, district="p.district", village="p.village_code")
    rows = await conn.fetch(
        f"""select p.project_id, p.village_code, p.district, p.action_code, p.task_no, p.title,
                   p.planned_start, p.planned_end,
                   count(*) as milestones,
                   count(*) filter (where {STATUS_AS_OF} = 'verified') as verified,
                   count(*) filter (where {DUE} < $1 and {VERIFIED_ON} is null and not {CANCELLED}) as overdue
            from af.projects p join af.milestones m using (project_id)
            where p.on_day <= $1 and ($2::text is null or p.district = $2) and ($3::text is null or p.village_code = $3)
              and ($4::int is null or p.task_no = $4) and ($6::text is null or p.project_id > $6)
              and {within}
            group by p.project_id order by p.project_id limit $5""",
        day, district, village_code, task_no, limit, after, *params)
    items = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()} for r in rows]
    return {"as_of": day.isoformat(), "items": items,
            "next_after": items[-1]["project_id"] if len(items) == limit else None}
