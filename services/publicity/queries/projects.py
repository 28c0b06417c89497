"""项目 / projects per action and task: planned, in progress, done; overdue milestones."""

from __future__ import annotations

from collections import defaultdict

import asyncpg

from shared.reference.tasks import ACTIONS, TASK_NAMES

from services.publicity.domain.asof import AsOf
from services.publicity.queries.figures import Scope, grouped
from services.publicity.queries.shape import city, per_district

STATUSES = ("planned", "in_progress", "done")


async def projects(conn: asyncpg.Connection, asof: AsOf, district: str | None = None) -> dict:
    scope = Scope(district=district)
    counts = defaultdict(int)
    columns: dict[str, dict] = {s: defaultdict(int) for s in (*STATUSES, "overdue_milestones")}
    for r in await grouped(conn, "projects", asof, ("task", "status", "district"), scope):
        counts[(r["task"], r["status"])] += int(r["value"])
        columns[r["status"]][r["district"]] += int(r["value"])
    for r in await grouped(conn, "milestones_overdue", asof, ("task", "district"), scope):
        counts[(r["task"], "overdue_milestones")] += int(r["value"])
        columns["overdue_milestones"][r["district"]] += int(r["value"])
    actions = []
    for action in ACTIONS:
        tasks = [{"no": no, "name": TASK_NAMES[no][0], "name_en": TASK_NAMES[no][1],
                  **{s: counts[(str(no), s)] for s in (*STATUSES, "overdue_milestones")}}
                 for no, _, _ in action["tasks"]]
        actions.append({"code": action["code"], "name": action["name_zh"], "name_en": action["name_en"],
                        **{s: sum(t[s] for t in tasks) for s in (*STATUSES, "overdue_milestones")},
                        "tasks": tasks})
    return {"city": city(columns), "districts": per_district(columns), "actions": actions}
