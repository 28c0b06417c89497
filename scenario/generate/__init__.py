"""``generate(seed, size)``: the whole programme as data. A seed fixes everything.

Each stage draws from its own ``random.Random`` seeded with ``"<seed>:<stage>"``, so a
stage's numbers do not shift when another stage changes how much it draws.
"""

from __future__ import annotations

import random

from scenario import calendar
from scenario.generate import (
    alerting, cadre_life, graduation, money, network, outcomes, oversight, projects, team_life, undo, villages,
)
from scenario.model import Scenario
from scenario.size import ScenarioSize


def generate(seed: int = 2021, size: ScenarioSize | None = None) -> Scenario:
    size = size or ScenarioSize()

    def rng(stage: str) -> random.Random:
        return random.Random(f"{seed}:{stage}")

    register = villages.villages(rng("villages"), size)
    screening = villages.screening(register, size.designated)
    weak = [v for v in register if v.code in set(screening.designated)]
    net = network.network(rng("network"), size, weak)
    leaves = cadre_life.leaves(rng("leave"), net.teams, size.leave_quota_days)
    plan = projects.projects(rng("projects"), weak, size.projects_per_village)
    allocs = money.allocations(rng("allocations"), plan)
    payments = money.disbursements(rng("disbursements"), allocs, plan)
    covered = outcomes.persons(rng("low-income"), weak, size.low_income_per_village)
    district = {v.code: v.district for v in register}
    reports = undo.review_incomes(rng("undo-income"), outcomes.incomes(rng("income"), weak), {v.code: v for v in register})
    # 2023: villages that met the target graduate, and a new run brings others in.
    grads = graduation.graduates(rng("graduation"), reports, frozenset(screening.designated), payments, allocs, district)
    gone = frozenset(g.village_code for g in grads)
    plan, allocs, payments = graduation.stop_at(gone, plan, allocs, payments)
    assignments = graduation.leave_villages(net.assignments, gone)
    rerun = graduation.rescreen(register, screening, gone)
    # 动态管理: what is undone or corrected later, drawn over the forward plan.
    allocs_now, payments = undo.cancel_allocations(rng("undo-allocations"), allocs, payments, gone)
    payments = undo.reverse_a_payment(rng("undo-payments"), payments, gone)
    plan = undo.cancel_projects(rng("undo-projects"), plan, allocs, payments, gone)
    plan = undo.replan_milestones(rng("undo-milestones"), plan, gone)
    life = team_life.changes(rng("team-life"), net.teams, {c.cadre_id: c.unit_id for c in net.cadres})
    joining = graduation.newcomers(rerun, screening, assignments, net.teams, district, gone)
    life, assignments, rotations = team_life.dissolve(rng("dissolution"), net.teams, assignments + joining, life)
    # Check-ins only where a team served from the start (until it left the village).
    presence, leaves = team_life.after_removals(life, cadre_life.check_ins(
        rng("presence"), net.teams, [a for a in assignments if a not in joining],
        [lv for lv in leaves if lv.approved], size.presence_days_per_month), leaves, net.teams)
    return Scenario(
        seed=seed, size=size, end=calendar.END, villages=tuple(register), screening=screening,
        units=tuple(net.units), cadres=tuple(net.cadres), trainings=tuple(net.trainings + life.trainings),
        teams=tuple(net.teams),
        assignments=tuple(assignments + rotations),
        check_ins=tuple(alerting.absences(rng("absences"), presence)),
        leaves=tuple(undo.cancel_leaves(rng("undo-leave"), leaves)), insurances=tuple(cadre_life.insurances(net.teams)),
        projects=tuple(plan), lines=tuple(money.lines(rng("lines"), allocs)), allocations=tuple(allocs_now),
        disbursements=tuple(alerting.late_decisions(rng("late-decisions"), payments)),
        policies=tuple(money.policies(rng("policies"), weak)),
        incomes=tuple(reports),
        farmer_incomes=tuple(outcomes.farmer_incomes(rng("farmers"), weak)),
        city_growth=tuple(outcomes.city_growth()),
        persons=tuple(undo.withdraw_eligibility(rng("undo-low-income"), covered)),
        inspections=tuple(oversight.inspections(rng("inspections"), weak, net.teams, size.inspected_share)),
        assessments=tuple(oversight.assessments(rng("assessments"), net.teams, size.presence_days_per_month)),
        team_changes=tuple(life.changes), graduations=tuple(grads), rescreening=rerun,
    )
